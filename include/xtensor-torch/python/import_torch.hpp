// The import check of a module that uses the casters (torch's version and C++ ABI against the build's), and
// the public helpers for code that builds Python objects by hand.
#ifndef XTENSOR_TORCH_PYTHON_IMPORT_TORCH_HPP
#define XTENSOR_TORCH_PYTHON_IMPORT_TORCH_HPP

#include <cstdio>
#include <string>
#include <utility>

#include <torch/version.h>

#include "common.hpp"
#include "importers.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace py = pybind11;

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

        /**
         * Imports torch and checks that it is the torch this module was built against (version and
         * C++ ABI); raises ImportError saying what differs otherwise. Call it first in PYBIND11_MODULE:
         * the casters need torch imported, and a mismatched libtorch fails later in obscure ways.
         */
        inline void import_torch()
        {
            py::module_ torch = py::module_::import("torch");
            const std::string version = py::str(torch.attr("__version__")).cast<std::string>();
            const bool abi = torch.attr("_C").attr("_GLIBCXX_USE_CXX11_ABI").cast<bool>();
            const std::string problem = torch_mismatch(version, abi);
            if (!problem.empty())
            {
                throw py::import_error(problem);
            }
#if PYBIND11_VERSION_HEX < 0x020C0000
            // This pybind11 reads numpy's structs in numpy 1's layout: under numpy 2 it would misread them.
            if (detail::numpy_loaded())
            {
                const std::string numpy_version =
                    py::str(py::module_::import("numpy").attr("__version__")).cast<std::string>();
                if (detail::major_minor(numpy_version).first >= 2)
                {
                    throw py::import_error(
                        "this module was built with pybind11 " PYBIND11_TOSTRING(PYBIND11_VERSION_MAJOR) "." PYBIND11_TOSTRING(
                            PYBIND11_VERSION_MINOR) ", which reads numpy 1's data structures, but the running numpy is "
                        + numpy_version + ". Rebuild it with pybind11 2.12 or later.");
                }
            }
#endif
            detail::handles();
        }

        /// torch's Python name of a dtype ("float32"), for messages and results of bound functions.
        inline std::string dtype_name(c10::ScalarType st)
        {
            return xtorch::detail::python_dtype_name(st);
        }

        /// The torch.Tensor of t, without a copy (the same object when t came from Python), for code that
        /// builds Python objects by hand.
        inline py::object as_python(const at::Tensor& t)
        {
            return py::reinterpret_steal<py::object>(detail::wrap_tensor(t));
        }
    }
}

#endif
