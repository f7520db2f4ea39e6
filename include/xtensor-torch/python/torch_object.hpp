// torch.Tensor objects from C++: wrapping a tensor, and finding the TensorImpl of a torch.Tensor quickly
// (a layout probe checked at import, with the public `_cdata` as the fallback).
#ifndef XTENSOR_TORCH_PYTHON_TORCH_OBJECT_HPP
#define XTENSOR_TORCH_PYTHON_TORCH_OBJECT_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include <algorithm>
#include <cstring>
#include <new>

// libtorch_python's THPVariable_Wrap, in both spellings torch has used (by value up to 1.13, by const
// reference later), bound weakly by their mangled names (the Itanium C++ ABI's) under names of our own: the one
// this libtorch_python defines is called, the other is null. Declaring them under torch's own name would make
// torch's calls ambiguous where <torch/extension.h> comes after this header (it declares one of them).
namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            __attribute__((weak)) PyObject* thp_wrap_by_reference(const at::TensorBase& var) __asm__(
                "_Z16THPVariable_WrapRKN2at10TensorBaseE");
            __attribute__((weak)) PyObject* thp_wrap_by_value(at::TensorBase var) __asm__(
                "_Z16THPVariable_WrapN2at10TensorBaseE");
        }
    }
}
// torch.Tensor, set when torch is imported. Also the strong reference that makes the linker keep
// libtorch_python as a dependency of the module (weak references alone do not).
extern PyObject* THPVariableClass;

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /// The Python object of a tensor: the existing torch.Tensor when it has one; None when undefined.
            inline PyObject* wrap_tensor(const at::Tensor& t)
            {
                PyObject* result = nullptr;
                if (&thp_wrap_by_reference != nullptr)
                {
                    result = thp_wrap_by_reference(t);
                }
                else if (&thp_wrap_by_value != nullptr)
                {
                    result = thp_wrap_by_value(t);
                }
                else
                {
                    throw python_exception(
                        PyExc_ImportError,
                        "xtensor-torch: THPVariable_Wrap was not found in libtorch_python: link the "
                        "module with libtorch_python (the CMake target xtensor-torch::python).");
                }
                if (result == nullptr)
                {
                    throw_raised();
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
             * which costs an attribute lookup per argument.
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
                    const object wrapped = object::steal(wrap_tensor(t));
                    const auto limit = std::min<std::ptrdiff_t>(Py_TYPE(wrapped.get())->tp_basicsize, 128);
                    const char* base = reinterpret_cast<const char*>(wrapped.get());
                    for (std::ptrdiff_t offset = sizeof(PyObject);
                         offset + static_cast<std::ptrdiff_t>(sizeof(void*)) <= limit;
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

            inline torch_handles make_handles()
            {
                if (!object::steal(PyImport_ImportModule("torch")))
                {
                    throw_raised();
                }
                torch_handles made;
                made.tensor_type = THPVariableClass;
                made.cdata_name = PyUnicode_InternFromString("_cdata");  // immortal once interned here
                made.impl_offset = find_impl_offset();
                return made;
            }

            /**
             * The handles, made once. Making them calls into Python (import torch), so a C++ static would
             * deadlock: one thread inside the initializer waiting for the GIL (or, free-threaded, for the
             * import lock) that another holds while it waits for the initializer. The first callers wait
             * with the GIL released instead (made_once); afterwards a call costs one atomic load.
             */
            inline const torch_handles& handles()
            {
                struct tag;
                return made_once<tag, torch_handles>(make_handles);
            }

            /// Whether obj is a torch.Tensor (or a subclass such as torch.nn.Parameter). A C-level subtype
            /// check: isinstance() would go through torch.Tensor's metaclass, a call costing more than the
            /// rest of the test for every numpy array passed.
            inline bool is_torch_tensor(PyObject* obj)
            {
                return PyObject_TypeCheck(obj, reinterpret_cast<PyTypeObject*>(handles().tensor_type)) != 0;
            }

            /// The TensorImpl a torch.Tensor object holds, read where torch's layout keeps it (h.impl_offset >= 0).
            inline void* impl_at_offset(PyObject* obj, const torch_handles& h) noexcept
            {
                void* impl = nullptr;
                std::memcpy(&impl, reinterpret_cast<const char*>(obj) + h.impl_offset, sizeof(void*));
                return impl;
            }

            /// The at::Tensor of a torch.Tensor (a new reference to the same TensorImpl).
            inline at::Tensor unpack_tensor(PyObject* obj)
            {
                const torch_handles& h = handles();
                void* impl = nullptr;
                if (h.impl_offset >= 0)
                {
                    impl = impl_at_offset(obj, h);
                }
                else
                {
                    PyObject* cdata = PyObject_GetAttr(obj, h.cdata_name);
                    if (cdata == nullptr)
                    {
                        throw_raised();
                    }
                    impl = PyLong_AsVoidPtr(cdata);
                    Py_DECREF(cdata);
                    if (impl == nullptr)
                    {
                        throw_raised();
                    }
                }
                return at::Tensor(c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>::
                                      unsafe_reclaim_from_nonowning(static_cast<c10::TensorImpl*>(impl)));
            }

            /**
             * The tensor of a torch.Tensor without a new reference, for the length of a call: the
             * Python object holds the TensorImpl meanwhile. Saves the two atomic operations of a
             * reference count where the caller keeps only what it copies (a view keeps the storage).
             * The tensor is made in place and, borrowed, never destroyed: assigning an at::Tensor and
             * releasing it call torch's reference counting out of line, which a benchmark of view
             * parameters showed.
             */
            class borrowed_tensor
            {
            public:

                explicit borrowed_tensor(PyObject* obj)
                {
                    const torch_handles& h = handles();
                    if (h.impl_offset >= 0)
                    {
                        using impl_ptr = c10::intrusive_ptr<c10::TensorImpl, c10::UndefinedTensorImpl>;
                        new (&m_tensor)
                            at::Tensor(impl_ptr::reclaim(static_cast<c10::TensorImpl*>(impl_at_offset(obj, h))));
                        m_borrowed = true;
                    }
                    else
                    {
                        new (&m_tensor) at::Tensor(unpack_tensor(obj));
                    }
                }

                /// A borrowed tensor is never destroyed: it took no reference, and has none to give back.
                ~borrowed_tensor()
                {
                    if (!m_borrowed)
                    {
                        m_tensor.~Tensor();
                    }
                }

                borrowed_tensor(const borrowed_tensor&) = delete;
                borrowed_tensor& operator=(const borrowed_tensor&) = delete;

                const at::Tensor& get() const noexcept
                {
                    return m_tensor;
                }

            private:

                union
                {
                    at::Tensor m_tensor;  // made in place by the constructor
                };
                bool m_borrowed = false;
            };

            /// Whether the casters found torch's layout (fast path) or read `_cdata`; for tests.
            inline bool uses_layout_probe()
            {
                return handles().impl_offset >= 0;
            }
        }
    }
}

#endif
