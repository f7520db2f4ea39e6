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

#include "as_tensor.hpp"
#include "detail/copy.hpp"
#include "detail/device.hpp"
#include "detail/memory.hpp"
#include "dtype.hpp"
#include "errors.hpp"

namespace xtorch
{
    namespace detail
    {
        /**
         * A tensor over the memory of the strided expression e that has the same values, negative
         * strides included: those dimensions are read upwards and flipped back by torch (a copy,
         * since torch has no negative strides).
         */
        template <class E>
        at::Tensor borrow_any(const E& e, const char* call)
        {
            using value_type = typename E::value_type;
            // The geometry first: it refuses counts that overflow, so the sums below cannot.
            const geometry g = read_geometry(e, call, /*absolute=*/true);
            c10::SmallVector<std::int64_t, 6> flipped;
            std::ptrdiff_t lowest = static_cast<std::ptrdiff_t>(e.data_offset());
            const auto& strides = e.strides();
            for (std::size_t d = 0; d < strides.size(); ++d)
            {
                if (strides[d] < 0 && e.shape()[d] > 1 && e.size() > 0)
                {
                    flipped.push_back(static_cast<std::int64_t>(d));
                    lowest += static_cast<std::ptrdiff_t>(e.shape()[d] - 1) * strides[d];
                }
            }
            if (flipped.empty())
            {
                return borrow(e, g);
            }
            auto* base = const_cast<value_type*>(e.data());
            const std::size_t bytes = static_cast<std::size_t>(lowest + g.span) * sizeof(value_type);
            c10::DataPtr ptr(base, c10::Device(c10::DeviceType::CPU));
            return make_cpu_tensor(make_storage(std::move(ptr), bytes), lowest, g,
                                   scalar_type_of<value_type>())
                .flip(flipped);
        }

        /// An xtensor shape as torch sizes. Filled element by element: GCC 16 warns (-Wmaybe-uninitialized)
        /// inside c10's range constructor.
        template <class S>
        c10::SmallVector<std::int64_t, 6> sizes_of(const S& shape)
        {
            c10::SmallVector<std::int64_t, 6> sizes;
            for (const auto n : shape)
            {
                sizes.push_back(static_cast<std::int64_t>(n));
            }
            return sizes;
        }

        /// Whether the strided expression e is one row-major run of memory (dimensions of size 1, whose
        /// stride xtensor sets to 0, aside).
        template <class E>
        bool is_row_major(const E& e) noexcept
        {
            const auto& shape = e.shape();
            const auto& strides = e.strides();
            std::ptrdiff_t expected = 1;
            for (std::size_t d = shape.size(); d-- > 0;)
            {
                if (shape[d] != 1 && static_cast<std::ptrdiff_t>(strides[d]) != expected)
                {
                    return false;
                }
                expected *= static_cast<std::ptrdiff_t>(shape[d]);
            }
            return true;
        }

        /// Evaluates e, cast element by element to the type of dst's dtype, into the contiguous CPU tensor dst.
        template <class E>
        void evaluate_into(const E& e, at::Tensor& dst, const char* call)
        {
            using source_type = typename E::value_type;
            visit_dtype(dst.scalar_type(), call,
                        [&](auto tag)
                        {
                            using target_type = typename decltype(tag)::type;
                            // c10::complex and std::complex share a layout: write the std:: one.
                            auto* data = static_cast<target_type*>(detail::mutable_data(dst));
                            auto out = xt::adapt(data, static_cast<std::size_t>(dst.numel()),
                                                 xt::no_ownership(), e.shape());
                            if constexpr (std::is_same<target_type, source_type>::value)
                            {
                                xt::noalias(out) = e;
                            }
                            else
                            {
                                auto cast = [](const source_type& v)
                                { return convert_value<target_type>(v); };
                                xt::noalias(out) = xt::make_lambda_xfunction(std::move(cast), e);
                            }
                        });
        }
    }

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
                           detail::to_text(options.layout()) + " layout", "Strided layout",
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
