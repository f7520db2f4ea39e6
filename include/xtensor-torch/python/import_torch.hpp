// The import check of a module that uses the casters (torch's version and C++ ABI against the build's), which
// each binding's import_torch runs, and the public helpers for code that builds Python objects by hand.
#ifndef XTENSOR_TORCH_PYTHON_IMPORT_TORCH_HPP
#define XTENSOR_TORCH_PYTHON_IMPORT_TORCH_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include <cstdio>
#include <string>
#include <utility>

#include <torch/version.h>

#include "importers.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /// The first major.minor of a version string: "1.13.0a0+git" -> {1, 13}.
            inline std::pair<int, int> major_minor(const std::string& version)
            {
                int major = -1;
                int minor = -1;
                std::sscanf(version.c_str(), "%d.%d", &major, &minor);
                return {major, minor};
            }
        }

        /**
         * Why a module built against this libtorch cannot run with the torch of version
         * `torch_version` and C++ ABI flag `cxx11_abi` (torch._C._GLIBCXX_USE_CXX11_ABI), or "" when
         * it can. Used by import_torch; public so that the check itself can be tested.
         */
        inline std::string torch_mismatch(const std::string& torch_version, bool cxx11_abi)
        {
            const auto running = detail::major_minor(torch_version);
            const std::string built =
                std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
            const bool built_abi = _GLIBCXX_USE_CXX11_ABI != 0;
            std::string problem;
            if (running.first != TORCH_VERSION_MAJOR || running.second != TORCH_VERSION_MINOR)
            {
                problem =
                    "it was built against libtorch " + built + ", but the running torch is " + torch_version;
            }
            else if (cxx11_abi != built_abi)
            {
                problem = std::string("it was built with _GLIBCXX_USE_CXX11_ABI=") + (built_abi ? "1" : "0")
                          + ", but the running torch " + torch_version
                          + " uses _GLIBCXX_USE_CXX11_ABI=" + (cxx11_abi ? "1" : "0");
            }
            if (problem.empty())
            {
                return problem;
            }
            return "this module cannot use the running torch: " + problem
                   + ". Rebuild it against that torch: cmake -DCMAKE_PREFIX_PATH=\"$(python3 -c 'import torch; "
                     "print(torch.utils.cmake_prefix_path)')\" ...";
        }

        namespace detail
        {
            /// torch.<name> as a new reference.
            inline object torch_attribute(PyObject* torch, const char* name)
            {
                object value = object::steal(PyObject_GetAttrString(torch, name));
                if (!value)
                {
                    throw_raised();
                }
                return value;
            }

            /**
             * The import check, for whichever binding: imports torch, refuses one of another version or C++ ABI
             * than this build's (ImportError, a python_exception), and makes the handles the casters use.
             */
            inline void check_torch()
            {
                const object torch = object::steal(PyImport_ImportModule("torch"));
                if (!torch)
                {
                    throw_raised();
                }
                const std::string version = text_of(torch_attribute(torch.get(), "__version__").get());
                const object c = torch_attribute(torch.get(), "_C");
                const int abi = PyObject_IsTrue(torch_attribute(c.get(), "_GLIBCXX_USE_CXX11_ABI").get());
                if (abi < 0)
                {
                    throw_raised();
                }
                const std::string problem = torch_mismatch(version, abi == 1);
                if (!problem.empty())
                {
                    throw python_exception(PyExc_ImportError, problem);
                }
                handles();
            }
        }

        inline std::string dtype_name(c10::ScalarType st)
        {
            return xtorch::detail::python_dtype_name(st);
        }

        /// The torch.Tensor of t, without a copy (the same object when t came from Python), for code that
        /// builds Python objects by hand.
    }
}

#endif
