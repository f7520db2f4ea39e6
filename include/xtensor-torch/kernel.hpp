// xtorch::kernel: an xtensor function registered as the kernel of a torch operator (TORCH_LIBRARY_IMPL), its
// tensor arguments viewed without copying and its result moved or evaluated into a tensor.
#ifndef XTENSOR_TORCH_KERNEL_HPP
#define XTENSOR_TORCH_KERNEL_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "as_tensor.hpp"
#include "detail/kernel.hpp"
#include "to_tensor.hpp"
#include "views.hpp"

namespace xtorch
{
    /**
     * An operator kernel that calls `f`, with the signature the dispatcher wants: each xarray_view<T> /
     * xtensor_view<T, N> parameter of f becomes a `const at::Tensor&` viewed without copying (a view of const T
     * reads a tensor that requires grad; a writable view, for `Tensor(a!)` schemas, takes one where autograd
     * does not record, as inside a kernel below autograd); float and int parameters become double and int64_t,
     * as schemas have them; at::Tensor and other types pass as they are. A refused argument raises torch's
     * TypeError or ValueError naming the parameter. The result becomes a tensor: a returned container is moved
     * into it (no copy), any other expression (lazy, or a view) is evaluated into a new one, so the output never
     * aliases an input; at::Tensor, tuples of these, scalars and void pass as they are.
     *
     * **Example**:  TORCH_LIBRARY_IMPL(my_ops, CPU, m) { m.impl("softplus_mul", xtorch::kernel(&softplus_mul)); }
     */
    template <class F>
    auto kernel(F f)
    {
        auto make = [](auto&& e) -> at::Tensor
        {
            using E = std::remove_reference_t<decltype(e)>;
            if constexpr (detail::is_owning_container<E>::value && !std::is_const<E>::value
                          && !std::is_lvalue_reference<decltype(e)>::value)
            {
                return as_tensor(std::move(e));  // the container's memory, no copy
            }
            else
            {
                return to_tensor(e);  // views and lazy expressions: a new tensor, never an input's alias
            }
        };
        using traits = detail::callable_traits<std::decay_t<F>>;
        return typename traits::template kernel<std::decay_t<F>, decltype(make)>(std::move(f), make);
    }
}

#endif
