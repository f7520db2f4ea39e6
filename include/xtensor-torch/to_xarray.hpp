// Torch to xtensor with a copy: to_xarray / to_xtensor, from any dtype, strides and device.
#ifndef XTENSOR_TORCH_TO_XARRAY_HPP
#define XTENSOR_TORCH_TO_XARRAY_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "detail/xtensor.hpp"

#include "detail/copy.hpp"
#include "detail/refusal.hpp"
#include "detail/view_refusals.hpp"
#include "dtype.hpp"

namespace xtorch
{
    /**
     * A new xt::xarray<T> holding the values of `t`: always a copy.
     *
     * `t` may have any dtype (cast to T as torch casts), any strides, any device (copied to host
     * memory in one transfer), any layout (sparse tensors are densified), and may require grad
     * (values only). Refuses undefined tensors and dtypes without a C++ type (quantized).
     *
     * **Example**:  xt::xarray<float> a = xtorch::to_xarray<float>(at::ones({2, 3}, at::kDouble));
     */
    template <class T>
    xt::xarray<T> to_xarray(const at::Tensor& t)
    {
        static_assert(!std::is_const<T>::value,
                      "xtorch::to_xarray<T>: T is the value type of a new container; drop const.");
        scalar_type_of<T>();
        constexpr auto call = detail::call_site::of<T>("xtorch::to_xarray");
        detail::check_copyable<T>(t, call);
        auto out = xt::xarray<T>::from_shape(t.sizes());
        detail::copy_into(out, t, call);
        return out;
    }

    /**
     * A new xt::xtensor<T, N> holding the values of `t`: always a copy. As to_xarray, and refuses a
     * tensor whose rank is not N.
     *
     * **Example**:  xt::xtensor<double, 2> m = xtorch::to_xtensor<double, 2>(at::eye(3));
     */
    template <class T, std::size_t N>
    xt::xtensor<T, N> to_xtensor(const at::Tensor& t)
    {
        static_assert(!std::is_const<T>::value,
                      "xtorch::to_xtensor<T, N>: T is the value type of a new container; drop const.");
        scalar_type_of<T>();
        constexpr auto call = detail::call_site::of<T>("xtorch::to_xtensor", static_cast<std::int64_t>(N));
        detail::check_copyable<T>(t, call);
        if (t.dim() != static_cast<std::int64_t>(N))
        {
            const detail::refusal_parts parts =
                detail::rank_refusal(t.sizes(), static_cast<std::int64_t>(N), detail::audience::cpp);
            detail::refuse(call, parts.problem, parts.found, parts.expected,
                           "Use " + detail::call_site::of<T>("xtorch::to_xarray").text()
                               + "(t) for any rank, or t.reshape(...) first.");
        }
        std::array<std::size_t, N> shape;
        for (std::size_t d = 0; d < N; ++d)
        {
            shape[d] = static_cast<std::size_t>(t.size(static_cast<std::int64_t>(d)));
        }
        auto out = xt::xtensor<T, N>::from_shape(shape);
        detail::copy_into(out, t, call);
        return out;
    }
}

#endif
