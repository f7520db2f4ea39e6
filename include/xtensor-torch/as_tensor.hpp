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
        /// Whether the element pointer of E survives moving E (true for heap-backed containers and for
        /// views and adaptors that refer to memory they do not hold inline).
        template <class E>
        struct move_keeps_data : std::false_type
        {
        };

        template <class T, class A>
        struct move_keeps_data<std::vector<T, A>> : std::true_type
        {
        };

        template <class T, class A>
        struct move_keeps_data<xt::uvector<T, A>> : std::true_type
        {
        };

        template <class CP, class O, class A>
        struct move_keeps_data<xt::xbuffer_adaptor<CP, O, A>> : std::true_type
        {
        };

        template <class T>
        struct move_keeps_data<tensor_buffer<T>> : std::true_type
        {
        };

        // A closure that is a reference refers to memory the moved object does not hold.
        template <class C>
        struct closure_keeps_data
            : std::integral_constant<bool, std::is_lvalue_reference<C>::value
                                               || move_keeps_data<std::decay_t<C>>::value>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct move_keeps_data<xt::xarray_container<EC, L, SC, Tag>> : closure_keeps_data<EC>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct move_keeps_data<xt::xtensor_container<EC, N, L, Tag>> : closure_keeps_data<EC>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct move_keeps_data<xt::xarray_adaptor<EC, L, SC, Tag>> : closure_keeps_data<EC>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct move_keeps_data<xt::xtensor_adaptor<EC, N, L, Tag>> : closure_keeps_data<EC>
        {
        };

        template <class CT, class... S>
        struct move_keeps_data<xt::xview<CT, S...>> : closure_keeps_data<CT>
        {
        };

        template <class CT, class S, xt::layout_type L, class FST>
        struct move_keeps_data<xt::xstrided_view<CT, S, L, FST>> : closure_keeps_data<CT>
        {
        };

        /// True when the elements of E cannot be written through it (a const container, a view of one).
        /// Whether an rvalue of this type, moved into a tensor's owner, keeps its memory alive on its own:
        /// containers with owning storage, and views that hold such a container by value (not a view of a
        /// caller's lvalue, nor an adaptor of memory it does not own).
        template <class E>
        struct owns_memory : std::false_type
        {
        };

        template <class T, class A>
        struct owns_memory<std::vector<T, A>> : std::true_type
        {
        };

        template <class T, class A>
        struct owns_memory<xt::uvector<T, A>> : std::true_type
        {
        };

        template <class CP, class A>
        struct owns_memory<xt::xbuffer_adaptor<CP, xt::acquire_ownership, A>> : std::true_type
        {
        };

        template <class T>
        struct owns_memory<tensor_buffer<T>> : std::true_type
        {
        };

        template <class C>
        struct closure_owns_memory
            : std::integral_constant<bool, !std::is_lvalue_reference<C>::value && owns_memory<std::decay_t<C>>::value>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct owns_memory<xt::xarray_container<EC, L, SC, Tag>> : closure_owns_memory<EC>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct owns_memory<xt::xtensor_container<EC, N, L, Tag>> : closure_owns_memory<EC>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct owns_memory<xt::xarray_adaptor<EC, L, SC, Tag>> : closure_owns_memory<EC>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct owns_memory<xt::xtensor_adaptor<EC, N, L, Tag>> : closure_owns_memory<EC>
        {
        };

        template <class CT, class... S>
        struct owns_memory<xt::xview<CT, S...>> : closure_owns_memory<CT>
        {
        };

        template <class CT, class S, xt::layout_type L, class FST>
        struct owns_memory<xt::xstrided_view<CT, S, L, FST>> : closure_owns_memory<CT>
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
