// pybind11 type casters for xtensor-torch: bound C++ functions take and return torch tensors, numpy
// arrays and DLPack objects as xarray_view / xtensor_view, at::Tensor and xtensor containers.
//
// Opt-in: not part of the umbrella header. Link the module with libtorch_python (the CMake target
// xtensor-torch::python does: find_package(xtensor-torch COMPONENTS python)) and call
// xtorch::python::import_torch() first in PYBIND11_MODULE.
//
// What each C++ type does at the boundary:
//
//   parameter                 accepts                                      copies?
//   xarray_view<T>            torch.Tensor, numpy.ndarray, __dlpack__      never: writes are seen by the caller
//   xtensor_view<T, N>        the same, of rank N                          never
//   xarray_view<const T>      the same, read-only numpy arrays too         never
//   at::Tensor                the same, any dtype                          never: the caller's memory
//   xt::xarray<T>, xtensor    the same; other dtypes are cast              always (pybind11's by-value rule)
//
//   return value              gives
//   at::Tensor                the tensor (the same Python object when it came from Python)
//   xarray_view<T>            a tensor on the view's storage
//   xt::xarray<T>, xtensor    a tensor that took over the container's buffer (moved, not copied);
//                             a container returned by reference is copied, or borrowed under
//                             return_value_policy::reference / reference_internal
//
// Refusals raise TypeError (not an array, or another dtype) or ValueError (device, rank, requires
// grad, conjugate or negative bit, layout, negative strides, read-only numpy array), naming what was
// expected, what was passed, and what to pass instead. When a function has overloads, pybind11 first
// tries each without conversions: a refusal then only moves on to the next overload, and the
// detailed error is raised from the second pass, where it ends the search. For one function over
// several dtypes, take an at::Tensor and choose in C++ with xtorch::python::view_argument<T>(x, name).
//
// This header replaces torch's own caster for at::Tensor (torch/csrc/utils/pybind.h, which
// <torch/extension.h> includes), which takes torch.Tensor only. A module includes one or the other.
#ifndef XTENSOR_TORCH_PYBIND11_HPP
#define XTENSOR_TORCH_PYBIND11_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <torch/version.h>

#include "xtensor-torch.hpp"

// Declared by torch/csrc/autograd/python_variable.h, defined in libtorch_python. That header also
// defines torch's caster for at::Tensor, which this one replaces, so the function is declared here:
// weakly, in both spellings torch has used (by value up to 1.13, by const reference later), and the
// one libtorch_python defines is called.
__attribute__((weak)) PyObject* THPVariable_Wrap(at::TensorBase var);
__attribute__((weak)) PyObject* THPVariable_Wrap(const at::TensorBase& var);
// torch.Tensor, set when torch is imported. Also the strong reference that makes the linker keep
// libtorch_python as a dependency of the module (weak references alone do not).
extern PyObject* THPVariableClass;

namespace xtorch
{
    namespace python
    {
        namespace py = pybind11;

        namespace detail
        {
            /// "float32": torch's Python name of a dtype.
            inline std::string torch_dtype_name(c10::ScalarType st)
            {
                switch (st)
                {
                    case c10::ScalarType::Bool: return "bool";
                    case c10::ScalarType::Byte: return "uint8";
                    case c10::ScalarType::Char: return "int8";
                    case c10::ScalarType::Short: return "int16";
                    case c10::ScalarType::Int: return "int32";
                    case c10::ScalarType::Long: return "int64";
                    case c10::ScalarType::Half: return "float16";
                    case c10::ScalarType::Float: return "float32";
                    case c10::ScalarType::Double: return "float64";
                    case c10::ScalarType::ComplexFloat: return "complex64";
                    case c10::ScalarType::ComplexDouble: return "complex128";
                    case c10::ScalarType::BFloat16: return "bfloat16";
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
                    case c10::ScalarType::UInt16: return "uint16";
                    case c10::ScalarType::UInt32: return "uint32";
                    case c10::ScalarType::UInt64: return "uint64";
#endif
                    case c10::ScalarType::QInt8: return "qint8";
                    case c10::ScalarType::QUInt8: return "quint8";
                    case c10::ScalarType::QInt32: return "qint32";
                    case c10::ScalarType::QUInt4x2: return "quint4x2";
                    case c10::ScalarType::QUInt2x4: return "quint2x4";
                    default: return c10::toString(st);
                }
            }

            /// The name a signature shows for a dtype: "float32".
            template <class T>
            struct dtype_descr;

#define XTENSOR_TORCH_DTYPE_DESCR(CPP_TYPE, NAME)                          \
    template <>                                                            \
    struct dtype_descr<CPP_TYPE>                                           \
    {                                                                      \
        static constexpr auto name = pybind11::detail::const_name(NAME);   \
    };
            XTENSOR_TORCH_DTYPE_DESCR(bool, "bool")
            XTENSOR_TORCH_DTYPE_DESCR(std::uint8_t, "uint8")
            XTENSOR_TORCH_DTYPE_DESCR(std::int8_t, "int8")
            XTENSOR_TORCH_DTYPE_DESCR(std::int16_t, "int16")
            XTENSOR_TORCH_DTYPE_DESCR(std::int32_t, "int32")
            XTENSOR_TORCH_DTYPE_DESCR(std::int64_t, "int64")
            XTENSOR_TORCH_DTYPE_DESCR(c10::Half, "float16")
            XTENSOR_TORCH_DTYPE_DESCR(float, "float32")
            XTENSOR_TORCH_DTYPE_DESCR(double, "float64")
            XTENSOR_TORCH_DTYPE_DESCR(std::complex<float>, "complex64")
            XTENSOR_TORCH_DTYPE_DESCR(std::complex<double>, "complex128")
            XTENSOR_TORCH_DTYPE_DESCR(c10::complex<float>, "complex64")
            XTENSOR_TORCH_DTYPE_DESCR(c10::complex<double>, "complex128")
            XTENSOR_TORCH_DTYPE_DESCR(c10::BFloat16, "bfloat16")
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
            XTENSOR_TORCH_DTYPE_DESCR(std::uint16_t, "uint16")
            XTENSOR_TORCH_DTYPE_DESCR(std::uint32_t, "uint32")
            XTENSOR_TORCH_DTYPE_DESCR(std::uint64_t, "uint64")
#endif
#undef XTENSOR_TORCH_DTYPE_DESCR

            /// "(2, 3)": how Python shows a shape or strides.
            template <class C>
            std::string py_tuple(const C& values)
            {
                std::string out = "(";
                std::size_t n = 0;
                for (const auto& v : values)
                {
                    out += (n++ ? ", " : "") + std::to_string(v);
                }
                return out + (n == 1 ? ",)" : ")");
            }

            [[noreturn]] inline void raise_type_error(const std::string& what, const std::string& problem,
                                                      const std::string& found, const std::string& expected,
                                                      const std::string& fix)
            {
                throw py::type_error(xtorch::detail::refusal_message(what, problem, found, expected, fix));
            }

            [[noreturn]] inline void raise_value_error(const std::string& what, const std::string& problem,
                                                       const std::string& found, const std::string& expected,
                                                       const std::string& fix)
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

            /// The release of DLPack tensors from Python producers: their deleters touch Python objects.
            inline void release_dlpack_with_gil(DLManagedTensor* managed)
            {
                if (managed->deleter == nullptr || !python_alive())
                {
                    return;
                }
                const PyGILState_STATE state = PyGILState_Ensure();
                managed->deleter(managed);
                PyGILState_Release(state);
            }

            /// The Python object of a tensor: the existing torch.Tensor when it has one; None when undefined.
            inline py::handle wrap_tensor(const at::Tensor& t)
            {
                PyObject* result = nullptr;
                using by_reference = PyObject* (*)(const at::TensorBase&);
                using by_value = PyObject* (*)(at::TensorBase);
                if (by_reference f = &::THPVariable_Wrap; f != nullptr)
                {
                    result = f(t);
                }
                else if (by_value g = &::THPVariable_Wrap; g != nullptr)
                {
                    result = g(t);
                }
                else
                {
                    throw py::import_error("xtensor-torch: THPVariable_Wrap was not found in libtorch_python: link the "
                                           "module with libtorch_python (the CMake target xtensor-torch::python).");
                }
                if (result == nullptr)
                {
                    throw py::error_already_set();
                }
                return result;
            }

            /**
             * What the casters need from torch, found once (with the GIL) by importing it: torch.Tensor,
             * and where a torch.Tensor object keeps its TensorImpl pointer.
             *
             * That place is torch's private layout (THPVariable: a MaybeOwned<at::Tensor> in 1.13, an
             * at::Tensor later), so it is not compiled in: it is found by wrapping two tensors made
             * here and looking for their TensorImpl pointers in the objects, and used only when both
             * are at the same offset. Otherwise the casters read the public attribute `_cdata`,
             * which costs about 100 ns more per argument.
             */
            struct torch_handles
            {
                PyObject* tensor_type = nullptr;
                PyObject* cdata_name = nullptr;
                std::ptrdiff_t impl_offset = -1;
            };

            inline std::ptrdiff_t find_impl_offset()
            {
                std::ptrdiff_t found[2] = {-1, -1};
                for (int probe = 0; probe < 2; ++probe)
                {
                    at::Tensor t = at::empty({probe + 1}, probe == 0 ? at::kFloat : at::kLong);
                    auto object = py::reinterpret_steal<py::object>(wrap_tensor(t));
                    const auto limit = std::min<std::ptrdiff_t>(Py_TYPE(object.ptr())->tp_basicsize, 128);
                    const char* base = reinterpret_cast<const char*>(object.ptr());
                    for (std::ptrdiff_t offset = sizeof(PyObject); offset + static_cast<std::ptrdiff_t>(sizeof(void*)) <= limit;
                         offset += sizeof(void*))
                    {
                        void* word = nullptr;
                        std::memcpy(&word, base + offset, sizeof(void*));
                        if (word == t.unsafeGetTensorImpl())
                        {
                            found[probe] = offset;
                            break;
                        }
                    }
                }
                return found[0] == found[1] ? found[0] : -1;
            }

            inline torch_handles& handles()
            {
                static torch_handles h = [] {
                    py::module_::import("torch");
                    torch_handles made;
                    made.tensor_type = THPVariableClass;
                    made.cdata_name = PyUnicode_InternFromString("_cdata");  // immortal once interned here
                    made.impl_offset = find_impl_offset();
                    return made;
                }();
                return h;
            }

            /// Whether obj is a torch.Tensor (or a subclass such as torch.nn.Parameter).
            inline bool is_torch_tensor(PyObject* obj)
            {
                auto* type = reinterpret_cast<PyObject*>(Py_TYPE(obj));
                const torch_handles& h = handles();
                if (type == h.tensor_type)
                {
                    return true;
                }
                const int result = PyObject_IsInstance(obj, h.tensor_type);
                if (result < 0)
                {
                    throw py::error_already_set();
                }
                return result == 1;
            }

            /// The at::Tensor of a torch.Tensor (a new reference to the same TensorImpl).
            inline at::Tensor unpack_tensor(PyObject* obj)
            {
                const torch_handles& h = handles();
                void* impl = nullptr;
                if (h.impl_offset >= 0)
                {
                    std::memcpy(&impl, reinterpret_cast<const char*>(obj) + h.impl_offset, sizeof(void*));
                }
                else
                {
                    PyObject* cdata = PyObject_GetAttr(obj, h.cdata_name);
                    if (cdata == nullptr)
                    {
                        throw py::error_already_set();
                    }
                    impl = PyLong_AsVoidPtr(cdata);
                    Py_DECREF(cdata);
                    if (impl == nullptr)
                    {
                        throw py::error_already_set();
                    }
                }
                return at::Tensor(c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::
                                      unsafe_reclaim_from_nonowning(static_cast<c10::TensorImpl*>(impl)));
            }

            /**
             * The tensor of a torch.Tensor without a new reference, for the length of a call: the
             * Python object holds the TensorImpl meanwhile. Saves the two atomic operations of a
             * reference count where the caller keeps only what it copies (a view keeps the storage).
             */
            class borrowed_tensor
            {
            public:

                explicit borrowed_tensor(PyObject* obj)
                {
                    const torch_handles& h = handles();
                    if (h.impl_offset >= 0)
                    {
                        void* impl = nullptr;
                        std::memcpy(&impl, reinterpret_cast<const char*>(obj) + h.impl_offset, sizeof(void*));
                        m_tensor = at::Tensor(c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::reclaim(
                            static_cast<c10::TensorImpl*>(impl)));
                        m_borrowed = true;
                    }
                    else
                    {
                        m_tensor = unpack_tensor(obj);
                    }
                }

                ~borrowed_tensor()
                {
                    if (m_borrowed)
                    {
                        m_tensor.unsafeReleaseTensorImpl();  // the reference was never taken
                    }
                }

                borrowed_tensor(const borrowed_tensor&) = delete;
                borrowed_tensor& operator=(const borrowed_tensor&) = delete;

                const at::Tensor& get() const noexcept
                {
                    return m_tensor;
                }

            private:

                at::Tensor m_tensor;
                bool m_borrowed = false;
            };

            /// Whether the casters found torch's layout (fast path) or read `_cdata`; for tests.
            inline bool uses_layout_probe()
            {
                return handles().impl_offset >= 0;
            }

            /// The torch dtype of a numpy dtype (kind and item size), or Undefined (uint16, object, ...).
            inline c10::ScalarType scalar_type_of_numpy(char kind, int size)
            {
                switch (kind)
                {
                    case 'b': return size == 1 ? c10::ScalarType::Bool : c10::ScalarType::Undefined;
                    case 'u':
                        switch (size)
                        {
                            case 1: return c10::ScalarType::Byte;
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
                            case 2: return c10::ScalarType::UInt16;
                            case 4: return c10::ScalarType::UInt32;
                            case 8: return c10::ScalarType::UInt64;
#endif
                            default: return c10::ScalarType::Undefined;
                        }
                    case 'i':
                        switch (size)
                        {
                            case 1: return c10::ScalarType::Char;
                            case 2: return c10::ScalarType::Short;
                            case 4: return c10::ScalarType::Int;
                            case 8: return c10::ScalarType::Long;
                            default: return c10::ScalarType::Undefined;
                        }
                    case 'f':
                        switch (size)
                        {
                            case 2: return c10::ScalarType::Half;
                            case 4: return c10::ScalarType::Float;
                            case 8: return c10::ScalarType::Double;
                            default: return c10::ScalarType::Undefined;
                        }
                    case 'c':
                        switch (size)
                        {
                            case 8: return c10::ScalarType::ComplexFloat;
                            case 16: return c10::ScalarType::ComplexDouble;
                            default: return c10::ScalarType::Undefined;
                        }
                    default: return c10::ScalarType::Undefined;
                }
            }

            /// Whether numpy has been imported; an object cannot be a numpy array or scalar before that. Once
            /// it has, it stays: the answer is kept (atomically: free-threaded Python has no GIL to order it).
            inline bool numpy_loaded()
            {
                static std::atomic<bool> loaded{false};
                if (loaded.load(std::memory_order_relaxed))
                {
                    return true;
                }
                const bool now = PyDict_GetItemString(PyImport_GetModuleDict(), "numpy") != nullptr;
                if (now)
                {
                    loaded.store(true, std::memory_order_relaxed);
                }
                return now;
            }

            /// Whether obj is a numpy.ndarray. numpy is not imported for the question.
            inline bool is_numpy_array(py::handle obj)
            {
                return numpy_loaded() && py::isinstance<py::array>(obj);
            }

            /// What the casters read of a numpy dtype beyond kind and byte order, which numpy 1 and 2 keep in
            /// the same place: the item size and whether it has fields, which numpy 2 moved.
            struct numpy_item
            {
                int size;
                bool has_fields;
            };

            inline numpy_item read_numpy_item(PyObject* descr)
            {
#if PYBIND11_VERSION_HEX >= 0x020C0000
                // pybind11 2.12+ reads them where the running numpy keeps them.
                const auto dtype = py::reinterpret_borrow<py::dtype>(descr);
                return {static_cast<int>(dtype.itemsize()), dtype.has_fields()};
#else
                // numpy 1's layout, the only one this pybind11 knows: import_torch refuses numpy 2.
                const auto* proxy = py::detail::array_descriptor_proxy(descr);
                return {proxy->elsize, proxy->names != nullptr || proxy->subarray != nullptr};
#endif
            }

            /**
             * A CPU tensor over the memory of a numpy array, holding a reference to the array (so
             * that the array's memory lives as long as any tensor or view over it). `what` names the
             * parameter in messages; `writable` refuses read-only arrays. Reads numpy's structs
             * directly (through pybind11's proxies): attribute lookups would cost microseconds.
             */
            inline at::Tensor tensor_from_numpy(py::handle src, const std::string& what, bool writable)
            {
                const auto* array = py::detail::array_proxy(src.ptr());
                const auto* descr = py::detail::array_descriptor_proxy(array->descr);
                const auto strides_text = [&] {
                    return "strides " + py_tuple(std::vector<py::ssize_t>(array->strides, array->strides + array->nd))
                           + " bytes";
                };
                const numpy_item item = read_numpy_item(array->descr);
                const c10::ScalarType st = scalar_type_of_numpy(descr->kind, item.size);
                if (st == c10::ScalarType::Undefined || item.has_fields)
                {
                    const std::string name = py::str(py::handle(array->descr).attr("name")).cast<std::string>();
                    raise_type_error(what, "can't convert a numpy array of this dtype", "numpy." + name,
                                     "bool, uint8, int8, int16, int32, int64, float16, float32, float64, complex64"
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
                                     ", complex128, uint16, uint32 or uint64",
#else
                                     " or complex128",
#endif
                                     "Pass a.astype(...) with one of those dtypes.");
                }
                if (descr->byteorder == '>')
                {
                    raise_value_error(what, "the numpy array's byte order is not the machine's", "byte order '>'",
                                      "native byte order", "Pass a.astype(a.dtype.newbyteorder('=')).");
                }
                if ((array->flags & py::detail::npy_api::NPY_ARRAY_ALIGNED_) == 0)
                {
                    raise_value_error(what, "the numpy array's data is not aligned to its element size",
                                      "an unaligned array", "an aligned array", "Pass a.copy().");
                }
                if (writable && (array->flags & py::detail::npy_api::NPY_ARRAY_WRITEABLE_) == 0)
                {
                    raise_value_error(what, "the numpy array is read-only", "flags.writeable=False",
                                      "a writeable array",
                                      "Pass a.copy(), or bind the parameter as a view of const elements to read it.");
                }
                const auto rank = static_cast<std::size_t>(array->nd);
                const auto itemsize = static_cast<std::int64_t>(item.size);
                xtorch::detail::geometry g;
                g.sizes.resize(rank);
                g.strides.resize(rank);
                bool empty = false;
                for (std::size_t d = 0; d < rank; ++d)
                {
                    g.sizes[d] = static_cast<std::int64_t>(array->dimensions[d]);
                    empty = empty || g.sizes[d] == 0;
                }
                std::int64_t span = empty ? 0 : 1;
                for (std::size_t d = 0; d < rank; ++d)
                {
                    const auto bytes = static_cast<std::int64_t>(array->strides[d]);
                    if (bytes % itemsize != 0)
                    {
                        raise_value_error(what, "given numpy array strides not a multiple of the element byte size",
                                          strides_text(), "multiples of " + std::to_string(itemsize),
                                          "Pass numpy.ascontiguousarray(a).");
                    }
                    g.strides[d] = bytes / itemsize;
                    if (g.strides[d] < 0 && g.sizes[d] > 1)
                    {
                        raise_value_error(what,
                                          "at least one stride in the given numpy array is negative, and tensors with "
                                          "negative strides are not currently supported",
                                          strides_text(), "non-negative strides",
                                          "Pass a.copy() or numpy.ascontiguousarray(a).");
                    }
                    if (g.sizes[d] == 1)
                    {
                        g.strides[d] = 1;
                    }
                    if (span > 0)
                    {
                        span += (g.sizes[d] - 1) * g.strides[d];
                    }
                }
                g.span = span;
                PyObject* owner = src.inc_ref().ptr();  // dropped by release_py_object
                c10::DataPtr ptr(array->data, owner, &release_py_object, c10::Device(c10::DeviceType::CPU));
                return xtorch::detail::make_cpu_tensor(
                    xtorch::detail::make_storage(std::move(ptr), static_cast<std::size_t>(span * itemsize)), 0, g, st);
            }

            /// A CPU tensor over the memory of an object with __dlpack__ (or a "dltensor" capsule).
            inline at::Tensor tensor_from_dlpack_object(py::handle src, const std::string& what)
            {
                py::object capsule;
                if (PyCapsule_CheckExact(src.ptr()))
                {
                    capsule = py::reinterpret_borrow<py::object>(src);
                }
                else
                {
                    if (py::hasattr(src, "__dlpack_device__"))
                    {
                        auto device = src.attr("__dlpack_device__")().cast<std::pair<int, int>>();
                        if (device.first != kDLCPU && device.first != kDLCUDAHost)
                        {
                            raise_value_error(what, "can't view memory of another device from the CPU",
                                              "__dlpack_device__() == (" + std::to_string(device.first) + ", "
                                                  + std::to_string(device.second) + ")",
                                              "(1, 0), the CPU", "Copy it to host memory first.");
                        }
                    }
                    capsule = src.attr("__dlpack__")();
                }
                if (std::strcmp(PyCapsule_GetName(capsule.ptr()), "dltensor") != 0)
                {
                    raise_value_error(what, "the DLPack capsule was used already",
                                      std::string("a capsule named '") + PyCapsule_GetName(capsule.ptr()) + "'",
                                      "a capsule named 'dltensor'",
                                      "Pass the array itself, or a new capsule: each can be consumed once.");
                }
                auto* managed = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule.ptr(), "dltensor"));
                if (managed == nullptr)
                {
                    throw py::error_already_set();
                }
                // From here on the tensor (or the refusal) releases `managed`; the capsule must not.
                PyCapsule_SetName(capsule.ptr(), "used_dltensor");
                try
                {
                    return xtorch::detail::tensor_from_dlpack(managed, what, c10::ScalarType::Undefined,
                                                              &release_dlpack_with_gil);
                }
                catch (const conversion_error& e)
                {
                    throw py::value_error(e.what());
                }
            }

            /**
             * The tensor a Python object stands for, without copying: a torch.Tensor's own, or one
             * over the memory of a numpy array or a DLPack producer. Undefined when src is none of
             * those (pybind11 then tries other overloads or says no overload matched).
             */
            inline at::Tensor tensor_from_python(py::handle src, const std::string& what, bool writable)
            {
                PyObject* obj = src.ptr();
                if (is_torch_tensor(obj))
                {
                    return unpack_tensor(obj);
                }
                if (is_numpy_array(src))
                {
                    return tensor_from_numpy(src, what, writable);
                }
                if (PyCapsule_CheckExact(obj) || py::hasattr(src, "__dlpack__"))
                {
                    return tensor_from_dlpack_object(src, what);
                }
                return at::Tensor();
            }

            /// "a torch.Tensor", "a numpy.ndarray": what was passed, for messages.
            inline std::string passed(py::handle src)
            {
                return std::string("a ") + py::str(py::type::handle_of(src).attr("__module__")).cast<std::string>()
                       + "." + py::str(py::type::handle_of(src).attr("__name__")).cast<std::string>();
            }

            /// The checks of a view parameter, in the order of xtorch::as_xarray's, with Python fixes.
            /// `src` is the argument as passed, for messages; null where only the tensor is known.
            template <class T>
            void check_view_argument(const at::Tensor& t, py::handle src, const std::string& what, std::int64_t rank)
            {
                if (t.layout() != c10::kStrided)
                {
                    raise_value_error(what, "can't view a tensor of " + xtorch::detail::to_text(t.layout()) + " layout",
                                      xtorch::detail::to_text(t.layout()) + " layout", "strided layout", "Pass x.to_dense().");
                }
                if (t.unsafeGetTensorImpl()->is_python_dispatch())
                {
                    raise_type_error(what, "views are not supported for tensor subclasses with Python dispatch",
                                     (src ? passed(src) : std::string("a tensor")) + " with Python dispatch",
                                     "a torch.Tensor without it",
                                     "Pass the plain tensor it stands for (for a DTensor, x.to_local() or "
                                     "x.full_tensor()), or bind the parameter as at::Tensor.");
                }
                if (t._is_zerotensor())
                {
                    raise_value_error(what, "can't view a ZeroTensor: it has no memory", "a ZeroTensor",
                                      "a tensor with memory", "Pass torch.zeros_like(x) (new memory).");
                }
                if (t.device().type() != c10::DeviceType::CPU)
                {
                    raise_value_error(what, "can't view a " + t.device().str() + " tensor from the CPU",
                                      "device " + t.device().str(), "device cpu",
                                      "Pass x.cpu() (a copy: writes made in C++ are not seen on the device).");
                }
                if (t.requires_grad())
                {
                    raise_value_error(what, "can't view a tensor that requires grad", "requires_grad=True",
                                      "requires_grad=False",
                                      "Pass x.detach() (autograd does not see writes made through the view).");
                }
                if (t.is_conj())
                {
                    raise_value_error(what, "can't view a tensor that has conjugate bit set", "conjugate bit set",
                                      "no conjugate bit", "Pass x.resolve_conj().");
                }
                if (t.is_neg())
                {
                    raise_value_error(what, "can't view a tensor that has negative bit set", "negative bit set",
                                      "no negative bit", "Pass x.resolve_neg().");
                }
                if (t.scalar_type() != scalar_type_of<T>())
                {
                    const std::string dtype = torch_dtype_name(scalar_type_of<T>());
                    // x.to(...) refuses quantized tensors: their integers and their values are separate copies.
                    const std::string fix = c10::isQIntType(t.scalar_type())
                                                ? "Pass x.int_repr() for its stored integers or x.dequantize() for "
                                                  "its values (copies: writes made in C++ are not seen in x)."
                                                : "Pass x.to(torch." + dtype + ") or a.astype(numpy." + dtype
                                                      + ") (a copy: writes made in C++ are not seen in x).";
                    raise_type_error(what, "dtype mismatch",
                                     (src ? passed(src) : std::string("a torch.Tensor")) + " of dtype " + torch_dtype_name(t.scalar_type()), dtype, fix);
                }
                if (rank >= 0 && t.dim() != rank)
                {
                    raise_value_error(what, "rank mismatch",
                                      "rank " + std::to_string(t.dim()) + ", shape " + py_tuple(t.sizes()),
                                      "rank " + std::to_string(rank), "Pass x.reshape(...) with " + std::to_string(rank)
                                          + " dimensions.");
                }
                for (std::int64_t d = 0; d < t.dim(); ++d)
                {
                    if (t.stride(d) < 0)
                    {
                        raise_value_error(what, "negative strides are not supported", "strides " + py_tuple(t.strides()),
                                          "non-negative strides", "Pass x.contiguous().");
                    }
                }
            }

            /// The signature pybind11 shows for a parameter or result of element type T and rank Rank (-1:
            /// any): "torch.Tensor[float32]", "torch.Tensor[float32, ndim=2]".
            template <class T, std::int64_t Rank>
            struct tensor_descr
            {
                static constexpr auto name =
                    pybind11::detail::const_name("torch.Tensor[") + dtype_descr<std::remove_const_t<T>>::name
                    + pybind11::detail::const_name<(Rank < 0)>(pybind11::detail::const_name(""),
                                                               pybind11::detail::const_name(", ndim=")
                                                                   + pybind11::detail::const_name<(Rank < 0 ? 0 : Rank)>())
                    + pybind11::detail::const_name("]");
            };

            /**
             * Whether src is something torch.tensor and numpy.asarray read as numbers though it is no
             * array: a Python number, a numpy scalar, or a list or tuple (nested lists of numbers).
             */
            inline bool is_number_or_sequence(py::handle src)
            {
                PyObject* obj = src.ptr();
                if (PyBool_Check(obj) || PyLong_Check(obj) || PyFloat_Check(obj) || PyComplex_Check(obj)
                    || PyList_Check(obj) || PyTuple_Check(obj))
                {
                    return true;
                }
                return numpy_loaded() && py::isinstance(src, py::module_::import("numpy").attr("generic"));
            }

            /// A new numpy array with src's elements in native byte order, aligned and contiguous (numpy.array
            /// copies); None when numpy cannot make one (a ragged list, numpy missing).
            inline py::object numpy_copy(py::handle src)
            {
                try
                {
                    py::object a = py::module_::import("numpy").attr("array")(src);
                    py::object dtype = a.attr("dtype");
                    if (!dtype.attr("isnative").cast<bool>())
                    {
                        a = a.attr("astype")(dtype.attr("newbyteorder")("="));
                    }
                    return a;
                }
                catch (const py::error_already_set&)
                {
                    return py::none();
                }
            }

            /// The caster of xarray_view<T> and xtensor_view<T, N>: a view of the caller's memory.
            template <class V, class T, std::int64_t Rank>
            struct view_caster
            {
                static constexpr auto name = tensor_descr<T, Rank>::name;

                bool load(py::handle src, bool convert)
                {
                    static const std::string what = Rank < 0 ? "xarray_view<" + type_name<T>() + "> parameter"
                                                             : "xtensor_view<" + type_name<T>() + ", "
                                                                   + std::to_string(Rank) + "> parameter";
                    try
                    {
                        if (is_torch_tensor(src.ptr()))
                        {
                            const borrowed_tensor t(src.ptr());
                            check_view_argument<T>(t.get(), src, what, Rank);
                            // Built in place: moving an xstrided_view costs as much as making one.
                            m_value.emplace(view_maker{t.get()});
                            return true;
                        }
                        const at::Tensor t = tensor_from_python(src, what, !std::is_const<T>::value);
                        if (!t.defined())
                        {
                            return false;
                        }
                        check_view_argument<T>(t, src, what, Rank);
                        m_value.emplace(view_maker{t});
                        return true;
                    }
                    catch (const py::builtin_exception&)
                    {
                        // Without conversions pybind11 may still find another overload; say why on the second pass.
                        if (!convert)
                        {
                            return false;
                        }
                        throw;
                    }
                }

                static py::handle cast(const V& view, py::return_value_policy, py::handle)
                {
                    static_assert(!std::is_const<T>::value,
                                  "xtensor-torch: returning a view of const elements would give Python a writable "
                                  "tensor over read-only memory. Return xt::xarray<T>(view) (a copy) instead.");
                    return wrap_tensor(xtorch::detail::share(const_cast<V&>(view), "xtorch::python::cast"));
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;

                operator V*()
                {
                    return &*m_value;
                }
                operator V&()
                {
                    return *m_value;
                }
                operator V&&() &&
                {
                    return std::move(*m_value);
                }

            private:

                /// Converts to V where the optional constructs it, so that the view is made in place.
                struct view_maker
                {
                    const at::Tensor& t;
                    operator V() const
                    {
                        return xtorch::detail::make_view<V, T>(t);
                    }
                };

                std::optional<V> m_value;  // views have no empty state to default-construct
            };

            /// The caster of xtensor containers: a copy in (cast as torch casts), a move out.
            template <class C, std::int64_t Rank>
            struct container_caster
            {
                using value_type = typename C::value_type;

                static constexpr auto name = tensor_descr<value_type, Rank>::name;

                bool load(py::handle src, bool convert)
                {
                    static const std::string what = "xtensor container parameter of " + type_name<value_type>();
                    at::Tensor t;
                    py::object copied;  // a numpy copy of src, alive while it is read
                    try
                    {
                        t = tensor_from_python(src, what, false);
                    }
                    catch (const py::builtin_exception&)
                    {
                        // What a view refuses but a copy can read (an unaligned, byte-swapped or oddly strided
                        // numpy array) goes through a numpy copy in the conversion pass; other refusals stand.
                        if (!convert)
                        {
                            return false;
                        }
                        if (!is_numpy_array(src) || (copied = numpy_copy(src)).is_none())
                        {
                            throw;
                        }
                        t = tensor_from_numpy(copied, what, false);
                    }
                    if (!t.defined())
                    {
                        // Numbers, numpy scalars and nested lists, as torch.tensor and numpy.asarray take them:
                        // only in the conversion pass, and an overload that takes them as they are wins.
                        if (!convert || !is_number_or_sequence(src) || (copied = numpy_copy(src)).is_none())
                        {
                            return false;
                        }
                        try
                        {
                            t = tensor_from_numpy(copied, what, false);
                        }
                        catch (const py::builtin_exception&)
                        {
                            return false;  // strings, objects: not numbers
                        }
                    }
                    if (!convert && t.scalar_type() != scalar_type_of<value_type>())
                    {
                        return false;
                    }
                    if (Rank >= 0 && t.dim() != Rank)
                    {
                        if (!convert)
                        {
                            return false;
                        }
                        raise_value_error(what, "rank mismatch",
                                          "rank " + std::to_string(t.dim()) + ", shape " + py_tuple(t.sizes()),
                                          "rank " + std::to_string(Rank),
                                          "Pass x.reshape(...) with " + std::to_string(Rank) + " dimensions.");
                    }
                    try
                    {
                        xtorch::detail::check_copyable<value_type>(t, what);
                        auto shape = xtorch::detail::shape_maker<typename C::shape_type>::make(static_cast<std::size_t>(t.dim()));
                        std::copy(t.sizes().begin(), t.sizes().end(), shape.begin());
                        m_value = C::from_shape(shape);
                        xtorch::detail::copy_into(m_value, t, "xtorch::python::load");
                    }
                    catch (const conversion_error& e)
                    {
                        throw py::value_error(e.what());
                    }
                    return true;
                }

                static py::handle cast(C&& src, py::return_value_policy, py::handle)
                {
                    return wrap_tensor(xtorch::detail::share(std::move(src), "xtorch::python::cast"));
                }

                static py::handle cast(const C& src, py::return_value_policy policy, py::handle parent)
                {
                    if (policy == py::return_value_policy::reference_internal && parent)
                    {
                        // Borrowed from `parent`, which owns src. The storage holds the reference to the parent,
                        // not the one torch.Tensor returned: tensors and arrays made from that one (x.numpy(),
                        // x.detach(), slices, DLPack exports) share the storage and outlive it.
                        const auto g = xtorch::detail::read_geometry(src, "xtorch::python::cast");
                        return wrap_tensor(
                            xtorch::detail::borrow(src, g, parent.inc_ref().ptr(), &release_py_object));
                    }
                    if (policy == py::return_value_policy::reference
                        || policy == py::return_value_policy::reference_internal)
                    {
                        // Borrowed with no Python owner to hold: C++ keeps src alive, as pybind11's
                        // `reference` means for its own classes.
                        return wrap_tensor(xtorch::detail::share(const_cast<C&>(src), "xtorch::python::cast"));
                    }
                    return wrap_tensor(xtorch::detail::share(C(src), "xtorch::python::cast"));
                }

                static py::handle cast(const C* src, py::return_value_policy policy, py::handle parent)
                {
                    if (src == nullptr)
                    {
                        return py::none().release();
                    }
                    return cast(*src, policy, parent);
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;

                operator C*()
                {
                    return &m_value;
                }
                operator C&()
                {
                    return m_value;
                }
                operator C&&() &&
                {
                    return std::move(m_value);
                }

            private:

                C m_value;
            };

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
            const std::string built = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR);
            const bool built_abi = _GLIBCXX_USE_CXX11_ABI != 0;
            std::string problem;
            if (running.first != TORCH_VERSION_MAJOR || running.second != TORCH_VERSION_MINOR)
            {
                problem = "it was built against libtorch " + built + ", but the running torch is " + torch_version;
            }
            else if (cxx11_abi != built_abi)
            {
                problem = std::string("it was built with _GLIBCXX_USE_CXX11_ABI=") + (built_abi ? "1" : "0")
                          + ", but the running torch " + torch_version + " uses _GLIBCXX_USE_CXX11_ABI="
                          + (cxx11_abi ? "1" : "0");
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
                    throw py::import_error("this module was built with pybind11 " PYBIND11_TOSTRING(PYBIND11_VERSION_MAJOR)
                                           "." PYBIND11_TOSTRING(PYBIND11_VERSION_MINOR)
                                           ", which reads numpy 1's data structures, but the running numpy is "
                                           + numpy_version + ". Rebuild it with pybind11 2.12 or later.");
                }
            }
#endif
            detail::handles();
        }

        /**
         * xtorch::as_xarray<T>(t) for bound functions that take an at::Tensor and choose the view in
         * C++ (one binding for several dtypes): the same checks as an xarray_view<T> parameter, and
         * refusals raise TypeError / ValueError with the fix in Python terms. `what` names the argument.
         *
         * **Example**:  if (x.scalar_type() == at::kFloat) { auto v = xtorch::python::view_argument<float>(x, "scale_(x)"); }
         */
        template <class T>
        xarray_view<T> view_argument(const at::Tensor& t, const std::string& what)
        {
            if (!t.defined())
            {
                detail::raise_type_error(what, "the tensor is undefined", "None", "a tensor", "Pass a tensor.");
            }
            detail::check_view_argument<T>(t, py::handle(), what, -1);
            return xtorch::detail::make_view<xarray_view<T>, T>(t);
        }

        /// torch's Python name of a dtype ("float32"), for messages and results of bound functions.
        inline std::string dtype_name(c10::ScalarType st)
        {
            return detail::torch_dtype_name(st);
        }

        /// The torch.Tensor of t, for code that builds Python objects by hand (the casters use it).
        inline py::object to_python(const at::Tensor& t)
        {
            return py::reinterpret_steal<py::object>(detail::wrap_tensor(t));
        }
    }
}

namespace pybind11
{
    namespace detail
    {
        template <class T>
        struct type_caster<xtorch::xarray_view<T>>
            : xtorch::python::detail::view_caster<xtorch::xarray_view<T>, T, -1>
        {
        };

        template <class T, std::size_t N>
        struct type_caster<xtorch::xtensor_view<T, N>>
            : xtorch::python::detail::view_caster<xtorch::xtensor_view<T, N>, T, static_cast<std::int64_t>(N)>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_container<EC, L, SC, Tag>>
            : xtorch::python::detail::container_caster<xt::xarray_container<EC, L, SC, Tag>, -1>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_container<EC, N, L, Tag>>
            : xtorch::python::detail::container_caster<xt::xtensor_container<EC, N, L, Tag>, static_cast<std::int64_t>(N)>
        {
        };

        /// at::Tensor (torch::Tensor): the caller's tensor itself, or a tensor over a numpy array's or a
        /// DLPack producer's memory; any dtype, device and grad state.
        template <>
        struct type_caster<at::Tensor>
        {
            PYBIND11_TYPE_CASTER(at::Tensor, const_name("torch.Tensor"));

            bool load(handle src, bool convert)
            {
                try
                {
                    value = xtorch::python::detail::tensor_from_python(src, "at::Tensor parameter", true);
                }
                catch (const builtin_exception&)
                {
                    if (!convert)
                    {
                        return false;
                    }
                    throw;
                }
                return value.defined();
            }

            static handle cast(const at::Tensor& src, return_value_policy, handle)
            {
                return xtorch::python::detail::wrap_tensor(src);
            }
        };
    }
}

#endif
