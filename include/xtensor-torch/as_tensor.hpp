// xtensor to torch without a copy: as_tensor, a tensor over the memory of an xtensor expression.
#ifndef XTENSOR_TORCH_AS_TENSOR_HPP
#define XTENSOR_TORCH_AS_TENSOR_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/xtensor.hpp"

#include "detail/geometry.hpp"
#include "dtype.hpp"
#include "errors.hpp"
#include "views.hpp"

namespace xtorch
{
    namespace detail
    {
        /// How an rvalue of E holds its elements: not known to survive a move (inline storage such as
        /// xtensor_fixed's), through a reference to a caller's lvalue, through memory it does not own
        /// (an adaptor without ownership), or owned on the heap (moved with it, and kept alive by it).
        enum class data_holder
        {
            unknown,
            reference,
            external,
            owned
        };

        template <class E>
        struct holder_of : std::integral_constant<data_holder, data_holder::unknown>
        {
        };

        template <class T, class A>
        struct holder_of<std::vector<T, A>> : std::integral_constant<data_holder, data_holder::owned>
        {
        };

        template <class T, class A>
        struct holder_of<xt::uvector<T, A>> : std::integral_constant<data_holder, data_holder::owned>
        {
        };

        template <class CP, class O, class A>
        struct holder_of<xt::xbuffer_adaptor<CP, O, A>>
            : std::integral_constant<data_holder, std::is_same<O, xt::no_ownership>::value
                                                      ? data_holder::external
                                                      : data_holder::owned>
        {
        };

        template <class T>
        struct holder_of<tensor_buffer<T>> : std::integral_constant<data_holder, data_holder::owned>
        {
        };

        /// A closure type: a reference to a caller's lvalue, or a held value.
        template <class C>
        struct closure_holder : std::integral_constant<data_holder, std::is_lvalue_reference<C>::value
                                                                        ? data_holder::reference
                                                                        : holder_of<std::decay_t<C>>::value>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct holder_of<xt::xarray_container<EC, L, SC, Tag>> : closure_holder<EC>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct holder_of<xt::xtensor_container<EC, N, L, Tag>> : closure_holder<EC>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct holder_of<xt::xarray_adaptor<EC, L, SC, Tag>> : closure_holder<EC>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct holder_of<xt::xtensor_adaptor<EC, N, L, Tag>> : closure_holder<EC>
        {
        };

        template <class CT, class... S>
        struct holder_of<xt::xview<CT, S...>> : closure_holder<CT>
        {
        };

        template <class CT, class S, xt::layout_type L, class FST>
        struct holder_of<xt::xstrided_view<CT, S, L, FST>> : closure_holder<CT>
        {
        };

        /// Whether the element pointer of E survives moving E.
        template <class E>
        struct move_keeps_data : std::integral_constant<bool, holder_of<E>::value != data_holder::unknown>
        {
        };

        /// Whether an rvalue of E, moved into a tensor's owner, keeps its memory alive on its own.
        template <class E>
        struct owns_memory : std::integral_constant<bool, holder_of<E>::value == data_holder::owned>
        {
        };

        template <class E>
        struct is_read_only
            : std::is_const<
                  std::remove_pointer_t<decltype(std::declval<std::remove_reference_t<E>&>().data())>>
        {
        };

        template <class D>
        void delete_owner(void* owner)
        {
            delete static_cast<D*>(owner);
        }
    }

    namespace detail
    {
        /// as_tensor without its compile-time checks; `call` names the public call in messages.
        template <class E>
        at::Tensor share(E&& e, const char* call)
        {
            using D = std::decay_t<E>;
            using value_type = typename D::value_type;
            constexpr c10::ScalarType st = scalar_type_of<value_type>();

            const geometry g = read_geometry(e, call);
            if (const c10::Storage* shared = find_storage(e))
            {
                // A view of a tensor: share the tensor's own storage.
                const value_type* first = e.data() + e.data_offset();
                const auto offset = first - static_cast<const value_type*>(shared->data());
                return make_cpu_tensor(*shared, offset, g, st);
            }
            if constexpr (std::is_lvalue_reference<E>::value)
            {
                return borrow(e, g);
            }
            else
            {
                auto owner = std::make_unique<D>(std::move(e));
                auto* base = const_cast<value_type*>(owner->data());
                const auto offset = static_cast<std::int64_t>(owner->data_offset());
                const std::size_t bytes = static_cast<std::size_t>(offset + g.span) * sizeof(value_type);
                // From here on the DataPtr owns the container and frees it with the storage, also if making
                // the storage throws.
                c10::DataPtr ptr(base, owner.release(), &delete_owner<D>, c10::Device(c10::DeviceType::CPU));
                return make_cpu_tensor(make_storage(std::move(ptr), bytes), offset, g, st);
            }
        }
    }

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
