// xtensor to torch without a copy: as_tensor, a tensor over the memory of an xtensor expression.
#ifndef XTENSOR_TORCH_AS_TENSOR_HPP
#define XTENSOR_TORCH_AS_TENSOR_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <type_traits>
#include <utility>

#include "detail/ownership.hpp"

namespace xtorch
{
    /**
     * A torch tensor over the memory of the xtensor expression `e`, without copying.
     *
     * `e` must have memory of its own: a container (xt::xarray, xt::xtensor, xt::xtensor_fixed), an
     * adaptor (xt::adapt), or a strided view of one (xt::view with integer, range and all slices,
     * xt::strided_view, xt::transpose). Sizes, strides and the storage offset are carried exactly,
     * so writes on either side are seen on the other. The dtype is the value type's (scalar_type_of).
     *
     * Lifetime:
     * - from an lvalue, the tensor borrows: it is valid while `e`'s memory is. Destroying `e`,
     *   resizing it, or assigning to it with `a = a + 1` (xtensor evaluates into a new buffer and
     *   swaps it in) leaves the tensor dangling. `a += 1` and `xt::noalias(a) = a + 1` keep the buffer.
     * - from an rvalue container (`as_tensor(std::move(a))`, `as_tensor(xt::xarray<double>{...})`),
     *   the container moves into the tensor, which frees it with its storage: no copy, no dangling.
     * - from a view made by as_xarray / as_xtensor (or an xt::view of one), the tensor shares the
     *   torch storage of the view: `as_tensor(as_xarray<T>(t))` is an alias of t.
     *
     * Refused at compile time: expressions without memory (`a + b`: use to_tensor), const
     * expressions (torch has no read-only tensors: use to_tensor, or pass a non-const expression),
     * rvalues that hold their elements inline (xt::xtensor_fixed), unsupported value types.
     * Refused at run time with conversion_error: negative strides (a reversed view).
     *
     * **Example**:  xt::xarray<double> a = {1, 2};  auto t = xtorch::as_tensor(a);  // t.data_ptr() == a.data()
     */
    template <class E>
    at::Tensor as_tensor(E&& e)
    {
        using D = std::decay_t<E>;
        static_assert(
            xt::is_xexpression<D>::value,
            "xtorch::as_tensor takes an xtensor expression (xt::xarray, xt::xtensor, xt::adapt, xt::view, ...).");
        static_assert(
            xt::has_data_interface<D>::value,
            "xtorch::as_tensor: this expression has no memory to share (a lazy expression such as a + b or "
            "xt::arange, or a view with non-strided slices). Use xtorch::to_tensor(e) to evaluate it into a "
            "new tensor.");
        static_assert(
            !detail::is_read_only<E>::value,
            "xtorch::as_tensor: the expression is const, and torch has no read-only tensors, so the tensor "
            "could write into it. Use xtorch::to_tensor(e) to copy it, or pass a non-const expression.");
        static_assert(
            std::is_lvalue_reference<E>::value || detail::move_keeps_data<D>::value,
            "xtorch::as_tensor: this temporary holds its elements inline (xt::xtensor_fixed, or a view that "
            "owns one), so moving it into the tensor would copy them. Use xtorch::to_tensor(e), or pass a "
            "variable to borrow its memory.");
        return detail::share(std::forward<E>(e), "xtorch::as_tensor");
    }
}

#endif
