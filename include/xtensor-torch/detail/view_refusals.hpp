// The one list of reasons a tensor cannot be viewed from the CPU, found in one place and described in one
// place, for xtorch::as_xarray / as_xtensor (C++) and for view parameters and python::as_xarray (Python).
// Each side adds only its fix and, in Python, the exception type.
#ifndef XTENSOR_TORCH_DETAIL_VIEW_REFUSALS_HPP
#define XTENSOR_TORCH_DETAIL_VIEW_REFUSALS_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstdint>
#include <string>
#include <type_traits>

#include <c10/core/GradMode.h>
#include <c10/core/impl/LocalDispatchKeySet.h>

#include "../dtype.hpp"
#include "geometry.hpp"
#include "import.hpp"
#include "refusal.hpp"

namespace xtorch
{
    namespace detail
    {
        /// Why a tensor cannot be viewed, in the order find_view_refusal checks: torch's Tensor.numpy()
        /// order first, then what a view needs beyond it.
        enum class view_refusal
        {
            none,
            undefined,        // a default-constructed at::Tensor, or None
            layout,           // sparse, mkldnn, ...: no strided memory
            python_dispatch,  // a subclass (FakeTensor, DTensor) whose operations run in Python
            zero_tensor,      // no memory at all
            device,           // memory the CPU cannot read
            requires_grad,  // a writable view where autograd records: it would not see writes through the view
            conjugate_bit,    // the memory holds the unconjugated values
            negative_bit,     // the memory holds the unnegated values
            dtype,            // another element type
            rank,             // another rank than a static-rank view's
            negative_stride,  // xtensor's adaptors and torch's own views have none
            too_large,        // sizes and strides past int64
            outside_storage,  // sizes, strides and offset reach past the storage (a resized or as_strided tensor)
            self_overlap      // a writable view whose elements may share memory (expand, as_strided)
        };

        /**
         * Whether autograd records what runs now: grad mode is on (no NoGradGuard, no InferenceMode) and the
         * code does not run below autograd (an operator's kernel called by the dispatcher from an autograd
         * kernel runs with the autograd keys excluded).
         */
        inline bool autograd_records()
        {
            return c10::GradMode::is_enabled()
                   && !c10::impl::tls_is_dispatch_key_excluded(c10::DispatchKey::AutogradFunctionality);
        }

        /**
         * The first reason t cannot be viewed as elements of `dtype` with `rank` dimensions (-1: any), or none.
         * A tensor that requires grad is refused only for a `writable` view where autograd records: reading
         * cannot corrupt autograd (a copy reads the same values), while writes made where autograd records
         * would go unseen by it, as Tensor.numpy() guards against. Below autograd, as in a kernel, or under
         * no_grad, writes are the caller's to account for, as with torch's own in-place kernels.
         */
        inline view_refusal find_view_refusal(const at::Tensor& t, c10::ScalarType dtype, std::int64_t rank,
                                              bool writable)
        {
            if (!t.defined())
            {
                return view_refusal::undefined;
            }
            if (t.layout() != c10::kStrided)
            {
                return view_refusal::layout;
            }
            if (t.unsafeGetTensorImpl()->is_python_dispatch())
            {
                return view_refusal::python_dispatch;
            }
            if (t._is_zerotensor())
            {
                return view_refusal::zero_tensor;
            }
            if (t.device().type() != c10::DeviceType::CPU)
            {
                return view_refusal::device;
            }
            if (writable && t.requires_grad() && autograd_records())
            {
                return view_refusal::requires_grad;
            }
            if (t.is_conj())
            {
                return view_refusal::conjugate_bit;
            }
            if (t.is_neg())
            {
                return view_refusal::negative_bit;
            }
            if (t.scalar_type() != dtype)
            {
                return view_refusal::dtype;
            }
            if (rank >= 0 && t.dim() != rank)
            {
                return view_refusal::rank;
            }
            if (t.numel() == 0)
            {
                return view_refusal::none;  // no element to read, wherever the strides point
            }
            // The common case without copying sizes and strides: a contiguous tensor reaches offset + numel.
            if (t.is_contiguous() && contiguous_storage_holds(t))
            {
                return view_refusal::none;
            }
            strided_source s = tensor_source(t);
            switch (settle_source(s, writable))
            {
                case import_fault::negative_stride: return view_refusal::negative_stride;
                case import_fault::too_large: return view_refusal::too_large;
                case import_fault::outside_storage: return view_refusal::outside_storage;
                case import_fault::self_overlap: return view_refusal::self_overlap;
                case import_fault::misaligned:  // a tensor's memory is torch's: aligned, and writable
                case import_fault::read_only:
                case import_fault::none: return view_refusal::none;
            }
            return view_refusal::none;  // not reached: the switch has every fault
        }

        /// The problem, found and expected parts of refusal r of t, spelled for `reader`.
        inline refusal_parts describe_view_refusal(view_refusal r, const at::Tensor& t, c10::ScalarType dtype,
                                                   std::int64_t rank, audience reader)
        {
            const bool py = reader == audience::python;
            switch (r)
            {
                case view_refusal::undefined:
                    return {"the tensor is undefined",
                            py ? "None" : "an undefined tensor (a default-constructed at::Tensor)",
                            "a defined tensor"};
                case view_refusal::layout:
                    return {"can't convert " + to_text(t.layout()) + " layout tensor to xtensor",
                            to_text(t.layout()) + " layout", "strided layout"};
                case view_refusal::python_dispatch:
                    return {"views are not supported for tensor subclasses with Python dispatch",
                            "a tensor with Python dispatch (a subclass such as FakeTensor or DTensor)",
                            "a tensor without Python dispatch"};
                case view_refusal::zero_tensor:
                    return {"can't view a ZeroTensor: it has no memory", "a ZeroTensor",
                            "a tensor with memory"};
                case view_refusal::device: return device_refusal(t.device().str());
                case view_refusal::requires_grad:
                    return {"can't view a tensor that requires grad",
                            py ? "requires_grad=True" : "requires_grad=true",
                            py ? "requires_grad=False" : "requires_grad=false"};
                case view_refusal::conjugate_bit:
                    return {"can't view a tensor that has conjugate bit set", "conjugate bit set",
                            "no conjugate bit"};
                case view_refusal::negative_bit:
                    return {"can't view a tensor that has negative bit set", "negative bit set",
                            "no negative bit"};
                case view_refusal::dtype:
                    return {"dtype mismatch",
                            py ? python_dtype_name(t.scalar_type()) : c10::toString(t.scalar_type()),
                            py ? python_dtype_name(dtype) : c10::toString(dtype)};
                case view_refusal::rank: return rank_refusal(t.sizes(), rank, reader);
                case view_refusal::negative_stride:
                case view_refusal::too_large:
                case view_refusal::outside_storage:
                case view_refusal::self_overlap:
                {
                    strided_source s = tensor_source(t);
                    return describe_import_fault(settle_source(s, r == view_refusal::self_overlap), s, "tensor",
                                                 reader);
                }
                case view_refusal::none: break;
            }
            return {"no refusal", "a viewable tensor",
                    "a refusal"};  // not a refusal: none is never described
        }

        /**
         * Whether refusal r is of the argument's type (TypeError in Python), not of its value (ValueError): what it
         * is (undefined, a subclass), its dtype, rank, layout or device, as torch's Tensor.numpy() raises TypeError
         * for a layout or a device and pybind11 for an argument that does not fit. Its memory and its state
         * (strides, bits, requires_grad) are values.
         */
        constexpr bool is_type_refusal(view_refusal r)
        {
            return r == view_refusal::undefined || r == view_refusal::python_dispatch || r == view_refusal::dtype
                   || r == view_refusal::rank || r == view_refusal::layout || r == view_refusal::device;
        }

        /**
         * The fix of refusal r in the terms of a caller that passes tensors to a view parameter: a Python binding,
         * or an operator whose kernel takes views (x is the argument; the methods are the same in C++).
         */
        inline std::string python_view_fix(view_refusal r, const at::Tensor& t, c10::ScalarType dtype,
                                           std::int64_t rank)
        {
            const std::string name = python_dtype_name(dtype);
            switch (r)
            {
                case view_refusal::undefined: return "Pass a tensor.";
                case view_refusal::layout: return "Pass x.to_dense().";
                case view_refusal::python_dispatch:
                    return "Pass the plain tensor it stands for (for a DTensor, x.to_local() or x.full_tensor()), "
                           "or bind the parameter as at::Tensor.";
                case view_refusal::zero_tensor: return "Pass torch.zeros_like(x) (new memory).";
                case view_refusal::device:
                    return "Pass x.cpu() (a copy: writes made in C++ are not seen on the device).";
                case view_refusal::requires_grad:
                    return "Take it as a view of const elements to read it, pass x.detach() to write without "
                           "autograd seeing it, or call under torch.no_grad().";
                case view_refusal::conjugate_bit: return "Pass x.resolve_conj().";
                case view_refusal::negative_bit: return "Pass x.resolve_neg().";
                case view_refusal::dtype:
                    // x.to(...) refuses quantized tensors: their integers and their values are separate copies.
                    return c10::isQIntType(t.scalar_type())
                               ? "Pass x.int_repr() for its stored integers or x.dequantize() for its values "
                                 "(copies: writes made in C++ are not seen in x)."
                               : "Pass x.to(torch." + name + ") or a.astype(numpy." + name
                                     + ") (a copy: writes made in C++ are not seen in x).";
                case view_refusal::rank:
                    return "Pass x.reshape(...) with " + std::to_string(rank) + " dimensions.";
                case view_refusal::negative_stride: return "Pass x.contiguous().";
                case view_refusal::too_large: return "Pass a smaller tensor.";
                case view_refusal::outside_storage:
                    return "Pass a tensor whose storage holds its elements (a storage shrunk by resize_ must be "
                           "resized back first).";
                case view_refusal::self_overlap:
                    return "Pass x.clone() or a.copy() (a copy: writes made in C++ are not seen in x), or take it "
                           "as a view of const elements to read it.";
                case view_refusal::none: break;
            }
            return "";
        }

        /**
         * The checks of every as_* call from torch to xtensor (detail::find_view_refusal's list); call.rank is
         * the static rank asked for, or -1. Throws conversion_error with the fix in C++ terms.
         */
        template <class T>
        void check_viewable(const at::Tensor& t, const call_site& call)
        {
            const std::int64_t rank = call.rank;
            const c10::ScalarType dtype = scalar_type_of<T>();
            const view_refusal r = find_view_refusal(t, dtype, rank, !std::is_const<T>::value);
            if (r == view_refusal::none)
            {
                return;
            }
            const std::string view = call.text();
            const std::string copy = call_site::of<std::remove_const_t<T>>(
                                         rank >= 0 ? "xtorch::to_xtensor" : "xtorch::to_xarray", rank)
                                         .text()
                                     + "(t)";
            std::string fix;
            switch (r)
            {
                case view_refusal::undefined: fix = fix_undefined_tensor; break;
                case view_refusal::layout:
                    fix = "Use " + view + "(t.to_dense()) after t.to_dense(), or " + copy + " to copy.";
                    break;
                case view_refusal::python_dispatch:
                    fix = "Use " + copy + " to copy through the subclass's own operations.";
                    break;
                case view_refusal::zero_tensor: fix = "Use " + copy + " to copy its zeros."; break;
                case view_refusal::device:
                    fix = "Use " + copy + " to copy the tensor to host memory, or t.cpu() first.";
                    break;
                case view_refusal::requires_grad:
                {
                    call_site reading = call;
                    reading.is_const = true;
                    fix =
                        "Use " + reading.text() + "(t) to read it, " + view
                        + "(t.detach()) to write without autograd seeing it, or write under at::NoGradGuard.";
                    break;
                }
                case view_refusal::conjugate_bit: fix = "Use " + view + "(t.resolve_conj()) instead."; break;
                case view_refusal::negative_bit: fix = "Use " + view + "(t.resolve_neg()) instead."; break;
                case view_refusal::dtype:
                {
                    const char* element = cpp_name_of(t.scalar_type());
                    fix = "Use " + copy + " to copy and cast, or "
                          + call.with_element(element != nullptr ? element : c10::toString(t.scalar_type()))
                                .text()
                          + "(t) to view it as it is.";
                    break;
                }
                break;
                case view_refusal::rank:
                    fix = "Use " + call_site::of<T>("xtorch::as_xarray").text()
                          + "(t) for any rank, or t.reshape(...) first.";
                    break;
                case view_refusal::negative_stride: fix = "Use " + copy + " to copy."; break;
                case view_refusal::too_large:
                case view_refusal::outside_storage:
                    fix = "Make the tensor with sizes and strides that fit its storage.";
                    break;
                case view_refusal::self_overlap:
                {
                    call_site reading = call;
                    reading.is_const = true;
                    fix = "Use " + reading.text() + "(t) to read it, or " + view + "(t.clone()) to write a copy.";
                    break;
                }
                case view_refusal::none: return;
            }
            const refusal_parts parts = describe_view_refusal(r, t, dtype, rank, audience::cpp);
            refuse(call, parts.problem, parts.found, parts.expected, fix);
        }
    }
}

#endif
