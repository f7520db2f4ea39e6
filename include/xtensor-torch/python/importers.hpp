// What a Python object stands for as a tensor, without copying: a torch.Tensor's own, or one over the memory
// of a numpy array or a DLPack producer; and numpy copies of what only a copy can read.
#ifndef XTENSOR_TORCH_PYTHON_IMPORTERS_HPP
#define XTENSOR_TORCH_PYTHON_IMPORTERS_HPP

#include <algorithm>
#include <atomic>
#include <cstring>
#include <vector>

#include <pybind11/numpy.h>

#include "common.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace py = pybind11;

        namespace detail
        {
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
                int alignment;
                bool has_fields;
            };

            inline numpy_item read_numpy_item(PyObject* descr)
            {
#if PYBIND11_VERSION_HEX >= 0x020C0000
                // pybind11 2.12+ reads them where the running numpy keeps them.
                const auto dtype = py::reinterpret_borrow<py::dtype>(descr);
                return {static_cast<int>(dtype.itemsize()), static_cast<int>(dtype.alignment()),
                        dtype.has_fields()};
#else
                // numpy 1's layout, the only one this pybind11 knows: import_torch refuses numpy 2.
                const auto* proxy = py::detail::array_descriptor_proxy(descr);
                return {proxy->elsize, proxy->alignment,
                        proxy->names != nullptr || proxy->subarray != nullptr};
#endif
            }

            /// A numpy array's memory in torch's terms: a storage that holds a reference to the array, and the
            /// settled source (sizes and strides in elements from element 0 of the storage, dtype).
            struct numpy_memory
            {
                c10::Storage storage;
                xtorch::detail::strided_source source;
                bool contiguous;
            };

            /// How to pass a numpy array instead, by fault.
            inline const char* numpy_fix(xtorch::detail::import_fault f)
            {
                using xtorch::detail::import_fault;
                switch (f)
                {
                    case import_fault::negative_stride: return "Pass a.copy() or numpy.ascontiguousarray(a).";
                    case import_fault::too_large:
                    case import_fault::outside_storage: return "Pass a smaller array.";
                    case import_fault::misaligned: return "Pass a.copy().";
                    case import_fault::read_only:
                    case import_fault::self_overlap:
                        return "Pass a.copy(), or bind the parameter as a view of const elements to read it.";
                    case import_fault::none: break;
                }
                return "";
            }

            /**
             * The adapter of a numpy array: its memory, holding a reference to the array (so that the array's
             * memory lives as long as any tensor or view over it). `what` names the parameter in messages;
             * `writable` refuses read-only arrays. Reads numpy's structs directly (through pybind11's
             * proxies): attribute lookups would cost microseconds.
             */
            inline numpy_memory numpy_storage(py::handle src, const xtorch::detail::call_site& what,
                                              bool writable)
            {
                const auto* array = py::detail::array_proxy(src.ptr());
                const auto* descr = py::detail::array_descriptor_proxy(array->descr);
                const numpy_item item = read_numpy_item(array->descr);
                const c10::ScalarType st = xtorch::detail::scalar_type_of_numpy(descr->kind, item.size);
                if (st == c10::ScalarType::Undefined || item.has_fields)
                {
                    const std::string name =
                        py::str(py::handle(array->descr).attr("name")).cast<std::string>();
                    raise_type_error(what, "can't convert a numpy array of this dtype", "numpy." + name,
                                     xtorch::detail::supported_numpy_dtypes(),
                                     "Pass a.astype(...) with one of those dtypes.");
                }
                if (descr->byteorder == '>')
                {
                    raise_value_error(what, "the numpy array's byte order is not the machine's",
                                      "byte order '>'", "native byte order",
                                      "Pass a.astype(a.dtype.newbyteorder('=')).");
                }
                xtorch::detail::strided_source s;
                s.data = array->data;
                s.itemsize = static_cast<std::int64_t>(item.size);
                s.alignment = std::max(item.alignment, 1);
                s.dtype = st;
                s.read_only = (array->flags & py::detail::npy_api::NPY_ARRAY_WRITEABLE_) == 0;
                s.byte_strides = true;
                const auto rank = static_cast<std::size_t>(array->nd);
                s.g.sizes.resize(rank);
                s.g.strides.resize(rank);
                for (std::size_t d = 0; d < rank; ++d)
                {
                    s.g.sizes[d] = static_cast<std::int64_t>(array->dimensions[d]);
                    const auto bytes = static_cast<std::int64_t>(array->strides[d]);
                    if (bytes % s.itemsize != 0)
                    {
                        raise_value_error(
                            what, "given numpy array strides not a multiple of the element byte size",
                            "strides "
                                + xtorch::detail::format_shape(
                                    std::vector<py::ssize_t>(array->strides, array->strides + array->nd),
                                    xtorch::detail::audience::python)
                                + " bytes",
                            "multiples of " + std::to_string(s.itemsize), "Pass numpy.ascontiguousarray(a).");
                    }
                    s.g.strides[d] = bytes / s.itemsize;
                }
                const auto fault = xtorch::detail::settle_source(s, writable);
                if (fault != xtorch::detail::import_fault::none)
                {
                    const auto parts = xtorch::detail::describe_import_fault(
                        fault, s, "numpy array", xtorch::detail::audience::python);
                    raise_value_error(what, parts.problem, parts.found, parts.expected, numpy_fix(fault));
                }
                PyObject* owner = src.inc_ref().ptr();  // dropped by release_py_object
                const bool contiguous = (array->flags & py::detail::npy_api::NPY_ARRAY_C_CONTIGUOUS_) != 0;
                return {xtorch::detail::storage_over(s, {owner, &release_py_object}), std::move(s),
                        contiguous};
            }

            /// A CPU tensor over the memory of a numpy array (numpy_storage's).
            inline at::Tensor tensor_from_numpy(py::handle src, const xtorch::detail::call_site& what,
                                                bool writable)
            {
                numpy_memory memory = numpy_storage(src, what, writable);
                return xtorch::detail::tensor_over(std::move(memory.storage), memory.source);
            }

            /**
             * The DLPack capsule of src: src itself when it is a capsule, else src.__dlpack__(max_version=(1, 0),
             * copy=False) (a "dltensor_versioned" capsule from DLPack 1.x producers: numpy 2.1+, torch 2.9+),
             * or src.__dlpack__() from producers that do not take those arguments.
             */
            inline py::object dlpack_capsule(py::handle src, const xtorch::detail::call_site& what)
            {
                if (PyCapsule_CheckExact(src.ptr()))
                {
                    return py::reinterpret_borrow<py::object>(src);
                }
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
                py::object export_ = src.attr("__dlpack__");
                try
                {
                    return export_(py::arg("max_version") = py::make_tuple(1, 0), py::arg("copy") = false);
                }
                catch (py::error_already_set& e)
                {
                    if (!e.matches(PyExc_TypeError))
                    {
                        throw;
                    }
                }
                return export_();  // the protocol before DLPack 1.0
            }

            /**
             * A CPU tensor over the memory of an object with __dlpack__ (or a DLPack capsule). Where
             * `writable`, a DLPack 1.x tensor flagged read-only, or copied by its producer, is refused.
             */
            inline at::Tensor tensor_from_dlpack_object(py::handle src, const xtorch::detail::call_site& what,
                                                        bool writable,
                                                        c10::ScalarType wanted = c10::ScalarType::Undefined,
                                                        std::int64_t wanted_rank = -1)
            {
                py::object capsule = dlpack_capsule(src, what);
                const char* name = PyCapsule_GetName(capsule.ptr());
                const bool versioned = name != nullptr && std::strcmp(name, "dltensor_versioned") == 0;
                if (!versioned && (name == nullptr || std::strcmp(name, "dltensor") != 0))
                {
                    raise_value_error(what, "the DLPack capsule was used already",
                                      std::string("a capsule named '") + (name ? name : "") + "'",
                                      "a capsule named 'dltensor' or 'dltensor_versioned'",
                                      "Pass the array itself, or a new capsule: each can be consumed once.");
                }
                void* pointer = PyCapsule_GetPointer(capsule.ptr(), name);
                if (pointer == nullptr)
                {
                    throw py::error_already_set();
                }
                // A parameter that refuses this dtype or rank leaves the capsule as it found it, unconsumed, for
                // another overload: the caller gets a tensor that borrows the memory (the capsule keeps it), only
                // for the words of its refusal.
                const DLTensor& dl = versioned ? static_cast<dl_managed_tensor_versioned*>(pointer)->dl_tensor
                                               : static_cast<DLManagedTensor*>(pointer)->dl_tensor;
                if (wanted != c10::ScalarType::Undefined
                    && (xtorch::detail::scalar_type_of_dl(dl.dtype) != wanted
                        || (wanted_rank >= 0 && dl.ndim != wanted_rank)))
                {
                    try
                    {
                        xtorch::detail::strided_source s =
                            xtorch::detail::import_dlpack(dl, what, c10::ScalarType::Undefined, false, false);
                        return xtorch::detail::tensor_over(s);
                    }
                    catch (const conversion_error& e)
                    {
                        throw py::value_error(e.what());
                    }
                }
                // From here on the tensor (or the refusal) releases the DLPack tensor; the capsule must not.
                PyCapsule_SetName(capsule.ptr(), versioned ? "used_dltensor_versioned" : "used_dltensor");
                try
                {
                    if (versioned)
                    {
                        return xtorch::detail::tensor_from_dlpack(
                            static_cast<dl_managed_tensor_versioned*>(pointer), what,
                            c10::ScalarType::Undefined, writable, true,
                            &release_dlpack_with_gil<dl_managed_tensor_versioned>);
                    }
                    return xtorch::detail::tensor_from_dlpack(static_cast<DLManagedTensor*>(pointer), what,
                                                              c10::ScalarType::Undefined,
                                                              &release_dlpack_with_gil<DLManagedTensor>);
                }
                catch (const conversion_error& e)
                {
                    throw py::value_error(e.what());
                }
            }

            /**
             * A tensor over the memory of a DLPack producer or capsule; undefined when src is neither. A capsule
             * whose dtype is not `wanted` or whose rank is not `wanted_rank` (where given) is not consumed: the
             * tensor then borrows its memory, for a refusal's words only.
             */
            inline at::Tensor tensor_from_dlpack_or_none(py::handle src,
                                                         const xtorch::detail::call_site& what, bool writable,
                                                         c10::ScalarType wanted = c10::ScalarType::Undefined,
                                                         std::int64_t wanted_rank = -1)
            {
                if (PyCapsule_CheckExact(src.ptr()) || py::hasattr(src, "__dlpack__"))
                {
                    return tensor_from_dlpack_object(src, what, writable, wanted, wanted_rank);
                }
                return at::Tensor();
            }

            /**
             * The tensor a Python object stands for, without copying: a torch.Tensor's own, or one
             * over the memory of a numpy array or a DLPack producer. Undefined when src is none of
             * those (pybind11 then tries other overloads or says no overload matched).
             */
            inline at::Tensor tensor_from_python(py::handle src, const xtorch::detail::call_site& what,
                                                 bool writable)
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
                return tensor_from_dlpack_or_none(src, what, writable);
            }

            /// Whether src is a numpy array that forbids writes (flags.writeable is False).
            inline bool is_read_only_numpy(py::handle src)
            {
                return is_numpy_array(src)
                       && (py::detail::array_proxy(src.ptr())->flags & py::detail::npy_api::NPY_ARRAY_WRITEABLE_) == 0;
            }

            /// "a torch.Tensor", "a numpy.ndarray": what was passed, for messages.
            inline std::string passed(py::handle src)
            {
                return std::string("a ")
                       + py::str(py::type::handle_of(src).attr("__module__")).cast<std::string>() + "."
                       + py::str(py::type::handle_of(src).attr("__name__")).cast<std::string>();
            }

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

            /// Whether a view of const T can be made over a copy of a tensor that refusal r turned away: refusals of
            /// its dtype, layout or bits, which torch's own conversions resolve. Not of its memory (a tensor whose
            /// strides reach past its storage is not read even to copy it), device or kind.
            inline bool convertible(xtorch::detail::view_refusal r)
            {
                using xtorch::detail::view_refusal;
                return r == view_refusal::none || r == view_refusal::dtype || r == view_refusal::layout
                       || r == view_refusal::conjugate_bit || r == view_refusal::negative_bit;
            }

            /**
             * A CPU tensor of `dtype` holding src's values in new contiguous memory, for a parameter that reads
             * and may convert (pybind11's conversion pass), as torch.as_tensor(src, dtype=...) makes one: from a
             * tensor of another dtype, a sparse or mkldnn layout, or the conjugate or negative bit; from a numpy
             * array a view cannot take (another dtype, byte order or alignment, negative strides); from a DLPack
             * producer; from numbers and nested lists. src itself where it only differs in rank. Undefined where
             * no copy is made here: another device, a tensor subclass, an invalid tensor, strings and objects.
             */
            inline at::Tensor converted_tensor(py::handle src, c10::ScalarType dtype,
                                               const xtorch::detail::call_site& what)
            {
                at::Tensor t;
                try
                {
                    if (is_torch_tensor(src.ptr()))
                    {
                        t = unpack_tensor(src.ptr());
                        if (!convertible(xtorch::detail::find_view_refusal(t, dtype, -1, false)))
                        {
                            return at::Tensor();
                        }
                    }
                    else if (is_numpy_array(src) || is_number_or_sequence(src))
                    {
                        py::object copied = numpy_copy(src);  // the storage below holds a reference to it
                        if (copied.is_none())
                        {
                            return at::Tensor();
                        }
                        t = tensor_from_numpy(copied, what, false);
                    }
                    else
                    {
                        t = tensor_from_dlpack_or_none(src, what, false);
                    }
                }
                catch (const py::builtin_exception&)
                {
                    return at::Tensor();  // a dtype torch has no equivalent of, strings, another device
                }
                if (!t.defined())
                {
                    return t;
                }
                try
                {
                    at::NoGradGuard reading;  // a copy to read, not an operation for autograd to record
                    if (t.layout() != c10::kStrided)
                    {
                        t = t.to_dense();
                    }
                    return t.resolve_conj().resolve_neg().to(dtype).contiguous();
                }
                catch (const c10::Error&)
                {
                    return at::Tensor();  // quantized tensors: torch converts them only on request
                }
            }
        }
    }
}

#endif
