// What the Python casters share: torch's Python dtype names and signatures, Python's spelling of shapes,
// refusals raised as TypeError / ValueError, and releases of Python-owned memory that take the GIL.
#ifndef XTENSOR_TORCH_PYTHON_COMMON_HPP
#define XTENSOR_TORCH_PYTHON_COMMON_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstdint>
#include <string>
#include <type_traits>

#include <pybind11/pybind11.h>

#include "../xtensor-torch.hpp"

namespace xtorch
{
    namespace python
    {
        namespace py = pybind11;

        namespace detail
        {
            /// The name a signature shows for a dtype: "float32". A type this torch has no dtype for stops the
            /// compilation with scalar_type_of's message, which lists the supported types.
            template <class T>
            struct dtype_descr
            {
                static_assert(is_supported_type_v<T>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);
                static constexpr auto name = pybind11::detail::const_name("unsupported");
            };

#define XTENSOR_TORCH_DTYPE_DESCR(CPP_TYPE, SCALAR_TYPE, PYTHON_NAME, ...)      \
    template <>                                                                 \
    struct dtype_descr<CPP_TYPE>                                                \
    {                                                                           \
        static constexpr auto name = pybind11::detail::const_name(PYTHON_NAME); \
    };
            XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_DESCR)
#undef XTENSOR_TORCH_DTYPE_DESCR
            template <>
            struct dtype_descr<c10::complex<float>> : dtype_descr<std::complex<float>>
            {
            };
            template <>
            struct dtype_descr<c10::complex<double>> : dtype_descr<std::complex<double>>
            {
            };

            [[noreturn]] inline void raise_type_error(const xtorch::detail::call_site& what,
                                                      const std::string& problem, const std::string& found,
                                                      const std::string& expected, const std::string& fix)
            {
                throw py::type_error(xtorch::detail::refusal_message(what, problem, found, expected, fix));
            }

            [[noreturn]] inline void raise_value_error(const xtorch::detail::call_site& what,
                                                       const std::string& problem, const std::string& found,
                                                       const std::string& expected, const std::string& fix)
            {
                throw py::value_error(xtorch::detail::refusal_message(what, problem, found, expected, fix));
            }

            /// Whether the interpreter can still run Python code: memory freed while it shuts down is
            /// left to the process's exit rather than touched without an interpreter.
            inline bool python_alive()
            {
#if PY_VERSION_HEX >= 0x030D0000
                return Py_IsInitialized() && !Py_IsFinalizing();
#else
                return Py_IsInitialized() && !_Py_IsFinalizing();
#endif
            }

            /// The deleter of storages over Python-owned memory: drops the reference, with the GIL,
            /// from whichever thread frees the last view.
            inline void release_py_object(void* object)
            {
                if (!python_alive())
                {
                    return;
                }
                const PyGILState_STATE state = PyGILState_Ensure();
                Py_DECREF(static_cast<PyObject*>(object));
                PyGILState_Release(state);
            }

            /// The release of DLPack tensors (legacy or 1.x) from Python producers: their deleters touch
            /// Python objects.
            template <class M>
            void release_dlpack_with_gil(M* managed)
            {
                if (managed->deleter == nullptr || !python_alive())
                {
                    return;
                }
                const PyGILState_STATE state = PyGILState_Ensure();
                managed->deleter(managed);
                PyGILState_Release(state);
            }

            /// The signature pybind11 shows for a parameter or result of element type T and rank Rank (-1:
            /// any): "torch.Tensor[float32]", "torch.Tensor[float32, ndim=2]".
            template <class T, std::int64_t Rank>
            struct tensor_descr
            {
                static constexpr auto name = pybind11::detail::const_name("torch.Tensor[")
                                             + dtype_descr<std::remove_const_t<T>>::name
                                             + pybind11::detail::const_name<(Rank < 0)>(
                                                 pybind11::detail::const_name(""),
                                                 pybind11::detail::const_name(", ndim=")
                                                     + pybind11::detail::const_name<(Rank < 0 ? 0 : Rank)>())
                                             + pybind11::detail::const_name("]");
            };
        }
    }
}

#endif
