// Torch to xtensor without a copy: as_xarray / as_xtensor, views over a tensor's storage. The view types
// (xarray_view, xtensor_view, tensor_buffer) are documented in detail/view_types.hpp.
#ifndef XTENSOR_TORCH_VIEWS_HPP
#define XTENSOR_TORCH_VIEWS_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>

#include "detail/view_refusals.hpp"
#include "detail/view_types.hpp"

namespace xtorch
{
    /**
     * A zero-copy xtensor expression of dynamic rank over the memory of the CPU tensor `t`.
     *
     * T must be t's dtype exactly (const T gives a read-only view). Sizes, strides (transposed,
     * sliced with steps, expanded with stride 0) and the storage offset are kept; writes go both
     * ways. The view holds the storage alive. Throws conversion_error for a tensor on another device,
     * one that requires grad, has the conjugate or negative bit set, is not strided, or has another
     * dtype; each message names the call that copies instead (to_xarray).
     *
     * **Example**:  auto t = at::ones({7});  auto v = xtorch::as_xarray<float>(t);  v(0) = 5;  // t[0] == 5
     */
    template <class T>
    xarray_view<T> as_xarray(const at::Tensor& t)
    {
        detail::check_viewable<T>(t, detail::call_site::of<T>("xtorch::as_xarray"));
        return detail::make_view<xarray_view<T>, T>(t);
    }

    /**
     * The same as as_xarray with the static rank N: also refuses a tensor whose rank is not N.
     *
     * **Example**:  auto m = xtorch::as_xtensor<double, 2>(at::eye(3, at::kDouble));  // m(1, 1) == 1
     */
    template <class T, std::size_t N>
    xtensor_view<T, N> as_xtensor(const at::Tensor& t)
    {
        detail::check_viewable<T>(
            t, detail::call_site::of<T>("xtorch::as_xtensor", static_cast<std::int64_t>(N)));
        return detail::make_view<xtensor_view<T, N>, T>(t);
    }
}

#endif
