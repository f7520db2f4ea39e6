// What a Python object stands for as a tensor, without copying: a torch.Tensor's own, or one over the memory
// of a numpy array or a DLPack producer; and numpy copies of what only a copy can read.
#ifndef XTENSOR_TORCH_PYTHON_IMPORTERS_HPP
#define XTENSOR_TORCH_PYTHON_IMPORTERS_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <vector>

#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
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

            /**
             * numpy's array object as its C API lays it out (PyArrayObject_fields, the same in numpy 1 and 2): read
             * directly, since attribute lookups would cost microseconds per call.
             */
            struct numpy_array_fields
            {
                PyObject_HEAD
                char* data;
                int nd;
                Py_ssize_t* dimensions;
                Py_ssize_t* strides;
                PyObject* base;
                PyObject* descr;
                int flags;
            };

            /// numpy's array flags (NPY_ARRAY_C_CONTIGUOUS, NPY_ARRAY_WRITEABLE).
            constexpr int numpy_c_contiguous = 0x0001;
            constexpr int numpy_writeable = 0x0400;

            /// The start of numpy's dtype object (PyArray_Descr), the same in numpy 1 and 2.
            struct numpy_descr_head
            {
                PyObject_HEAD
                PyTypeObject* typeobj;
                char kind;
                char type;
                char byteorder;
                char flags;
                int type_num;
            };

            /// numpy 1's PyArray_Descr after its head.
            struct numpy1_descr
            {
                numpy_descr_head head;
                int elsize;
                int alignment;
                void* subarray;
                PyObject* fields;
                PyObject* names;
            };

            /// numpy 2's _PyArray_LegacyDescr (the dtypes numpy 1 had: type numbers 0 to NPY_VSTRING) after its head.
            struct numpy2_legacy_descr
            {
                numpy_descr_head head;
                std::uint64_t flags;
                Py_ssize_t elsize;
                Py_ssize_t alignment;
                PyObject* metadata;
                Py_hash_t hash;
                void* reserved_null[2];
                void* subarray;
                PyObject* fields;
                PyObject* names;
            };

            constexpr int numpy2_vstring = 2056;  // NPY_VSTRING: the first type number of numpy 2's new dtypes

            /// What the casters keep of the running numpy: its array and scalar types and its major version.
            struct numpy_handles
            {
                PyTypeObject* ndarray = nullptr;
                PyObject* generic = nullptr;
                PyObject* array = nullptr;  // numpy.array, for the copies of the conversion pass
                int major = 0;
            };

            /// numpy's handles, from the numpy module that is loaded (numpy_loaded()), once per process. The
            /// references are kept for the process's life, as numpy's own C API table is.
            inline const numpy_handles& numpy_types()
            {
                struct tag;
                return made_once<tag, numpy_handles>(
                    []
                    {
                        const object numpy = object::steal(PyImport_ImportModule("numpy"));
                        if (!numpy)
                        {
                            throw_raised();
                        }
                        numpy_handles made;
                        PyObject* ndarray = PyObject_GetAttrString(numpy.get(), "ndarray");
                        made.generic = PyObject_GetAttrString(numpy.get(), "generic");
                        made.array = PyObject_GetAttrString(numpy.get(), "array");
                        const object version = object::steal(PyObject_GetAttrString(numpy.get(), "__version__"));
                        if (ndarray == nullptr || made.generic == nullptr || made.array == nullptr || !version
                            || !PyType_Check(ndarray))
                        {
                            throw python_exception(PyExc_ImportError,
                                                   "xtensor-torch: the loaded numpy module has no ndarray, generic, "
                                                   "array or __version__: it is not numpy.");
                        }
                        made.ndarray = reinterpret_cast<PyTypeObject*>(ndarray);
                        std::sscanf(text_of(version.get()).c_str(), "%d", &made.major);
                        return made;
                    });
            }

            /// Whether obj is a numpy.ndarray. numpy is not imported for the question.
            inline bool is_numpy_array(PyObject* obj)
            {
                return numpy_loaded() && PyObject_TypeCheck(obj, numpy_types().ndarray) != 0;
            }

            inline const numpy_array_fields* numpy_fields(PyObject* array)
            {
                return reinterpret_cast<const numpy_array_fields*>(array);
            }

            /// What the casters read of a numpy dtype beyond kind and byte order, which numpy 1 and 2 keep in
            /// different places: the item size, its alignment and whether it has fields or a subarray.
            struct numpy_item
            {
                int size;
                int alignment;
                bool has_fields;
            };

            inline numpy_item read_numpy_item(PyObject* descr)
            {
                if (numpy_types().major < 2)
                {
                    const auto* d = reinterpret_cast<const numpy1_descr*>(descr);
                    return {d->elsize, d->alignment, d->names != nullptr || d->subarray != nullptr};
                }
                const auto* d = reinterpret_cast<const numpy2_legacy_descr*>(descr);
                const bool legacy = d->head.type_num >= 0 && d->head.type_num < numpy2_vstring;
                // numpy 2's own new dtypes (strings of variable length) have neither, and no size torch takes.
                return {static_cast<int>(d->elsize), static_cast<int>(d->alignment),
                        legacy && (d->names != nullptr || d->subarray != nullptr)};
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
             * `writable` refuses read-only arrays. Reads numpy's structs directly (numpy_array_fields).
             */
            inline numpy_memory numpy_storage(PyObject* src, const xtorch::detail::call_site& what, bool writable)
            {
                const numpy_array_fields* array = numpy_fields(src);
                const auto* descr = reinterpret_cast<const numpy_descr_head*>(array->descr);
                const numpy_item item = read_numpy_item(array->descr);
                const c10::ScalarType st = xtorch::detail::scalar_type_of_numpy(descr->kind, item.size);
                if (st == c10::ScalarType::Undefined || item.has_fields)
                {
                    const std::string name =
                        text_of(object::steal(PyObject_GetAttrString(array->descr, "name")).get());
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
                s.read_only = (array->flags & numpy_writeable) == 0;
                s.byte_strides = true;
                const auto rank = static_cast<std::size_t>(array->nd);
                s.g.sizes.resize(rank);
                s.g.strides.resize(rank);
                // The item sizes of the dtype map are powers of two (dtype.hpp asserts it): byte strides are
                // checked by a mask and become element strides by a shift, with no division.
                const std::int64_t item_mask = s.itemsize - 1;
                const int shift = __builtin_ctzll(static_cast<unsigned long long>(s.itemsize));
                for (std::size_t d = 0; d < rank; ++d)
                {
                    s.g.sizes[d] = static_cast<std::int64_t>(array->dimensions[d]);
                    const auto bytes = static_cast<std::int64_t>(array->strides[d]);
                    if ((bytes & item_mask) != 0)
                    {
                        raise_value_error(
                            what, "given numpy array strides not a multiple of the element byte size",
                            "strides "
                                + xtorch::detail::format_shape(
                                    std::vector<Py_ssize_t>(array->strides, array->strides + array->nd),
                                    xtorch::detail::audience::python)
                                + " bytes",
                            "multiples of " + std::to_string(s.itemsize), "Pass numpy.ascontiguousarray(a).");
                    }
                    s.g.strides[d] = bytes >> shift;  // exact: a multiple of the item size, of either sign
                }
                const auto fault = xtorch::detail::settle_source(s, writable);
                if (fault != xtorch::detail::import_fault::none)
                {
                    const auto parts = xtorch::detail::describe_import_fault(
                        fault, s, "numpy array", xtorch::detail::audience::python);
                    raise_value_error(what, parts.problem, parts.found, parts.expected, numpy_fix(fault));
                }
                Py_INCREF(src);  // dropped by release_py_object
                PyObject* owner = src;
                const bool contiguous = (array->flags & numpy_c_contiguous) != 0;
                return {xtorch::detail::storage_over(s, {owner, &release_py_object}), std::move(s),
                        contiguous};
            }

            /// A CPU tensor over the memory of a numpy array (numpy_storage's).
            inline at::Tensor tensor_from_numpy(PyObject* src, const xtorch::detail::call_site& what,
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
            inline object dlpack_capsule(PyObject* src, const xtorch::detail::call_site& what)
            {
                if (PyCapsule_CheckExact(src))
                {
                    return object::borrow(src);
                }
                if (PyObject_HasAttrString(src, "__dlpack_device__"))
                {
                    const object device = object::steal(PyObject_CallMethod(src, "__dlpack_device__", nullptr));
                    if (!device)
                    {
                        throw_raised();
                    }
                    long type = -1;
                    long id = -1;
                    if (PyTuple_Check(device.get()) && PyTuple_GET_SIZE(device.get()) == 2)
                    {
                        type = PyLong_AsLong(PyTuple_GET_ITEM(device.get(), 0));
                        id = PyLong_AsLong(PyTuple_GET_ITEM(device.get(), 1));
                        if (PyErr_Occurred())
                        {
                            throw_raised();
                        }
                    }
                    if (type != kDLCPU && type != kDLCUDAHost)
                    {
                        raise_value_error(what, "can't view memory of another device from the CPU",
                                          "__dlpack_device__() == (" + std::to_string(type) + ", "
                                              + std::to_string(id) + ")",
                                          "(1, 0), the CPU", "Copy it to host memory first.");
                    }
                }
                const object export_ = object::steal(PyObject_GetAttrString(src, "__dlpack__"));
                if (!export_)
                {
                    throw_raised();
                }
                const object no_arguments = object::steal(PyTuple_New(0));
                const object keywords = object::steal(Py_BuildValue("{s:(ii),s:O}", "max_version", 1, 0, "copy", Py_False));
                if (!no_arguments || !keywords)
                {
                    throw_raised();
                }
                object capsule = object::steal(PyObject_Call(export_.get(), no_arguments.get(), keywords.get()));
                if (capsule)
                {
                    return capsule;
                }
                if (!PyErr_ExceptionMatches(PyExc_TypeError))
                {
                    throw_raised();
                }
                PyErr_Clear();
                capsule = object::steal(PyObject_CallObject(export_.get(), nullptr));  // the protocol before DLPack 1.0
                if (!capsule)
                {
                    throw_raised();
                }
                return capsule;
            }

            /**
             * A CPU tensor over the memory of an object with __dlpack__ (or a DLPack capsule). Where
             * `writable`, a DLPack 1.x tensor flagged read-only, or copied by its producer, is refused.
             */
            inline at::Tensor tensor_from_dlpack_object(PyObject* src, const xtorch::detail::call_site& what,
                                                        bool writable,
                                                        c10::ScalarType wanted = c10::ScalarType::Undefined,
                                                        std::int64_t wanted_rank = -1)
            {
                const object capsule = dlpack_capsule(src, what);
                const char* name = PyCapsule_GetName(capsule.get());
                const bool versioned = name != nullptr && std::strcmp(name, "dltensor_versioned") == 0;
                if (!versioned && (name == nullptr || std::strcmp(name, "dltensor") != 0))
                {
                    raise_value_error(what, "the DLPack capsule was used already",
                                      std::string("a capsule named '") + (name ? name : "") + "'",
                                      "a capsule named 'dltensor' or 'dltensor_versioned'",
                                      "Pass the array itself, or a new capsule: each can be consumed once.");
                }
                void* pointer = PyCapsule_GetPointer(capsule.get(), name);
                if (pointer == nullptr)
                {
                    throw_raised();
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
                        throw python_exception(PyExc_ValueError, e.what());
                    }
                }
                // From here on the tensor (or the refusal) releases the DLPack tensor; the capsule must not.
                PyCapsule_SetName(capsule.get(), versioned ? "used_dltensor_versioned" : "used_dltensor");
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
                    throw python_exception(PyExc_ValueError, e.what());
                }
            }

            /**
             * A tensor over the memory of a DLPack producer or capsule; undefined when src is neither. A capsule
             * whose dtype is not `wanted` or whose rank is not `wanted_rank` (where given) is not consumed: the
             * tensor then borrows its memory, for a refusal's words only.
             */
            inline at::Tensor tensor_from_dlpack_or_none(PyObject* src,
                                                         const xtorch::detail::call_site& what, bool writable,
                                                         c10::ScalarType wanted = c10::ScalarType::Undefined,
                                                         std::int64_t wanted_rank = -1)
            {
                if (PyCapsule_CheckExact(src) || PyObject_HasAttrString(src, "__dlpack__"))
                {
                    return tensor_from_dlpack_object(src, what, writable, wanted, wanted_rank);
                }
                return at::Tensor();
            }

            /**
             * The tensor a Python object stands for, without copying: a torch.Tensor's own, or one
             * over the memory of a numpy array or a DLPack producer. Undefined when src is none of
             * those (the binding then tries other overloads or says no overload matched).
             */
            inline at::Tensor tensor_from_python(PyObject* src, const xtorch::detail::call_site& what, bool writable)
            {
                if (is_torch_tensor(src))
                {
                    return unpack_tensor(src);
                }
                if (is_numpy_array(src))
                {
                    return tensor_from_numpy(src, what, writable);
                }
                return tensor_from_dlpack_or_none(src, what, writable);
            }

            /// Whether src is a numpy array that forbids writes (flags.writeable is False).
            inline bool is_read_only_numpy(PyObject* src)
            {
                return is_numpy_array(src) && (numpy_fields(src)->flags & numpy_writeable) == 0;
            }

            /// "a torch.Tensor", "a numpy.ndarray": what was passed, for messages.
            inline std::string passed(PyObject* src)
            {
                auto* type = reinterpret_cast<PyObject*>(Py_TYPE(src));
                return std::string("a ") + text_of(object::steal(PyObject_GetAttrString(type, "__module__")).get())
                       + "." + text_of(object::steal(PyObject_GetAttrString(type, "__name__")).get());
            }

            /**
             * Whether src is something torch.tensor and numpy.asarray read as numbers though it is no
             * array: a Python number, a numpy scalar, or a list or tuple (nested lists of numbers).
             */
            inline bool is_number_or_sequence(PyObject* obj)
            {
                if (PyBool_Check(obj) || PyLong_Check(obj) || PyFloat_Check(obj) || PyComplex_Check(obj)
                    || PyList_Check(obj) || PyTuple_Check(obj))
                {
                    return true;
                }
                return numpy_loaded() && PyObject_IsInstance(obj, numpy_types().generic) == 1;
            }

            /// A new numpy array with src's elements in native byte order, aligned and contiguous (numpy.array
            /// copies); None when numpy cannot make one (a ragged list, numpy missing).
            inline object numpy_copy(PyObject* src)
            {
                const auto failed = []
                {
                    PyErr_Clear();
                    return object();
                };
                PyObject* array = nullptr;
                try
                {
                    array = numpy_types().array;  // imports numpy where nothing has yet
                }
                catch (const python_exception&)
                {
                    return failed();  // no numpy
                }
                object a = object::steal(PyObject_CallFunctionObjArgs(array, src, nullptr));
                const object dtype = object::steal(a ? PyObject_GetAttrString(a.get(), "dtype") : nullptr);
                const object native = object::steal(dtype ? PyObject_GetAttrString(dtype.get(), "isnative") : nullptr);
                if (!native)
                {
                    return failed();
                }
                if (PyObject_IsTrue(native.get()) != 1)
                {
                    const object swapped =
                        object::steal(PyObject_CallMethod(dtype.get(), "newbyteorder", "s", "="));
                    a = object::steal(swapped ? PyObject_CallMethod(a.get(), "astype", "(O)", swapped.get()) : nullptr);
                    if (!a)
                    {
                        return failed();
                    }
                }
                return a;
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
             * and may convert (the binding's conversion pass), as torch.as_tensor(src, dtype=...) makes one: from a
             * tensor of another dtype, a sparse or mkldnn layout, or the conjugate or negative bit; from a numpy
             * array a view cannot take (another dtype, byte order or alignment, negative strides); from a DLPack
             * producer; from numbers and nested lists. src itself where it only differs in rank. Undefined where
             * no copy is made here: another device, a tensor subclass, an invalid tensor, strings and objects.
             */
            inline at::Tensor converted_tensor(PyObject* src, c10::ScalarType dtype,
                                               const xtorch::detail::call_site& what)
            {
                at::Tensor t;
                try
                {
                    if (is_torch_tensor(src))
                    {
                        t = unpack_tensor(src);
                        if (!convertible(xtorch::detail::find_view_refusal(t, dtype, -1, false)))
                        {
                            return at::Tensor();
                        }
                    }
                    else if (is_numpy_array(src) || is_number_or_sequence(src))
                    {
                        const object copied = numpy_copy(src);  // the storage below holds a reference to it
                        if (!copied)
                        {
                            return at::Tensor();
                        }
                        t = tensor_from_numpy(copied.get(), what, false);
                    }
                    else
                    {
                        t = tensor_from_dlpack_or_none(src, what, false);
                    }
                }
                catch (const python_exception& e)
                {
                    if (!e.is_refusal())
                    {
                        throw;
                    }
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
