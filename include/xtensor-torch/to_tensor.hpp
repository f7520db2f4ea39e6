// xtensor to torch with a copy: to_tensor evaluates any expression into new tensor memory, casting on the way.
#ifndef XTENSOR_TORCH_TO_TENSOR_HPP
#define XTENSOR_TORCH_TO_TENSOR_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <string>

#include "detail/xtensor.hpp"
#include <ATen/Context.h>
#include <ATen/EmptyTensor.h>

#include "detail/copy.hpp"
#include "detail/device.hpp"
#include "detail/memory.hpp"
#include "detail/refusal.hpp"
#include "dtype.hpp"

namespace xtorch
{
    /**
     * A new tensor holding the values of the xtensor expression `e`: always a copy.
     *
     * `e` may be any expression, lazy ones included (`a + b`, `xt::arange(1., 10.)`, a reversed view).
     * `options` sets the dtype, the device and requires_grad; a torch::ScalarType or torch::Device
     * converts to it. Without a dtype the tensor keeps e's value type, as torch.tensor keeps float64.
     * The cast happens in the same pass as the evaluation: float64 to float32 makes no float64 copy.
     * The result is contiguous (row-major) whatever e's layout.
     *
     * **Example**:  auto t = xtorch::to_tensor(xt::arange(1., 10.), torch::kFloat32);  // 9 floats
     */
    template <class E>
    at::Tensor to_tensor(const xt::xexpression<E>& expression, const at::TensorOptions& options = {})
    {
        const E& e = expression.derived_cast();
        using source_type = typename E::value_type;
        constexpr c10::ScalarType source_dtype = scalar_type_of<source_type>();
        constexpr const char* call = "xtorch::to_tensor";

        if (options.layout() != c10::kStrided)
        {
            detail::refuse(call, "only strided tensors can be made",
                           detail::to_text(options.layout()) + " layout", "strided layout",
                           "Make the dense tensor, then convert it with .to_sparse() or similar.");
        }
        const c10::ScalarType dtype = options.has_dtype() ? options.dtype().toScalarType() : source_dtype;
        const c10::Device device = options.device();
        detail::check_device_available(device, call);

        const auto sizes = detail::sizes_of(e.shape());
        const at::TensorOptions target = options.dtype(dtype).requires_grad(false).memory_format({});
        // A plain CPU tensor is made without the dispatcher (at::empty's CPU kernel, called directly).
        const bool plain_cpu = device.is_cpu() && !options.pinned_memory();
        at::Tensor result;
        if constexpr (xt::has_data_interface<E>::value)
        {
            result = plain_cpu ? at::Tensor(at::detail::empty_cpu(sizes, dtype)) : at::empty(sizes, target);
            if (result.is_cpu())
            {
                detail::advise_huge_pages(result.data_ptr(), result.nbytes());
            }
            if (result.is_cpu() && detail::is_row_major(e) && detail::is_supported(dtype))
            {
                // One contiguous run: cast straight from e's memory, without a tensor over it and
                // without torch's dispatch and iterator, which cost more than small copies themselves.
                using from_type = std::remove_const_t<source_type>;
                const from_type* first = e.data() + e.data_offset();
                detail::visit_dtype(dtype, call,
                                    [&](auto to)
                                    {
                                        using to_type = typename decltype(to)::type;
                                        detail::convert_contiguous(
                                            first, static_cast<to_type*>(detail::mutable_data(result)),
                                            result.numel());
                                    });
            }
            else
            {
                // Any other strides, or a device: torch's copy kernel casts, follows the strides, crosses
                // devices (with the tiled copy for transposed CPU sources).
                detail::copy_cast(result, detail::borrow_any(e, call));
            }
        }
        else
        {
            // A lazy expression: evaluate it straight into tensor memory, cast included.
            at::Tensor host = plain_cpu ? at::Tensor(at::detail::empty_cpu(sizes, dtype))
                                        : at::empty(sizes, target.device(c10::kCPU));
            detail::advise_huge_pages(host.data_ptr(), host.nbytes());
            detail::evaluate_into(e, host, call);
            result = device.is_cpu() ? std::move(host) : host.to(device);
        }
        if (options.requires_grad())
        {
            result.set_requires_grad(true);
        }
        return result;
    }
}

#endif
