// Who keeps memory alive: how an xtensor expression holds its elements (borrowed, moved in with its owner, or a
// torch storage behind a view), and as_tensor's sharing of an expression's memory as a tensor: what as_tensor,
// DLPack, the transfers and the casters share.
#ifndef XTENSOR_TORCH_DETAIL_OWNERSHIP_HPP
#define XTENSOR_TORCH_DETAIL_OWNERSHIP_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "xtensor.hpp"

#include "../dtype.hpp"
#include "import.hpp"
#include "view_types.hpp"

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

        template <class T, class Holder>
        struct holder_of<held_buffer<T, Holder>> : std::integral_constant<data_holder, data_holder::owned>
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

        /// Whether the elements of E cannot be written through it: its data() is const, or its storage's elements
        /// are (an adaptor over a const container has a non-const data() typed from the container's pointer).
        template <class E>
        struct is_read_only
            : std::disjunction<
                  std::is_const<
                      std::remove_pointer_t<decltype(std::declval<std::remove_reference_t<E>&>().data())>>,
                  std::is_const<std::remove_reference_t<
                      decltype(*std::declval<std::remove_reference_t<E>&>().storage().begin())>>>
        {
        };

        template <class D>
        void delete_owner(void* owner)
        {
            delete static_cast<D*>(owner);
        }

        /**
         * The torch storage behind an xtensor expression, when it is one of ours (a view made by
         * as_xarray / as_xtensor, or an xt::view or xt::strided_view of one), else nullptr.
         */
        template <class E, class = void>
        struct storage_finder
        {
            static const c10::Storage* find(const E&) noexcept
            {
                return nullptr;
            }
        };

        template <class E>
        const c10::Storage* find_storage(const E& e) noexcept
        {
            return storage_finder<E>::find(e);
        }

        template <class T>
        struct storage_finder<tensor_flat<T>>
        {
            static const c10::Storage* find(const tensor_flat<T>& e) noexcept
            {
                return &e.storage().holder();
            }
        };

        template <class CT, class S, xt::layout_type L, class FST>
        struct storage_finder<xt::xstrided_view<CT, S, L, FST>>
        {
            static const c10::Storage* find(const xt::xstrided_view<CT, S, L, FST>& e) noexcept
            {
                return find_storage(e.expression());
            }
        };

        template <class CT, class... S>
        struct storage_finder<xt::xview<CT, S...>>
        {
            static const c10::Storage* find(const xt::xview<CT, S...>& e) noexcept
            {
                return find_storage(e.expression());
            }
        };

        /// as_tensor without its compile-time checks; `call` names the public call in messages.
        template <class E>
        at::Tensor share(E&& e, const call_site& call)
        {
            using D = std::decay_t<E>;
            strided_source s = import_expression(e, call);
            if (const c10::Storage* shared = find_storage(e))
            {
                // A view of a tensor: share the tensor's own storage, from its start.
                s.offset = static_cast<const char*>(s.data) + s.offset * s.itemsize
                           - static_cast<const char*>(shared->data());
                s.offset /= s.itemsize;
                return tensor_over(*shared, s);
            }
            if constexpr (std::is_lvalue_reference<E>::value)
            {
                return tensor_over(s);
            }
            else
            {
                // The tensor owns the moved container, whose elements stay where they are (holder_of), and
                // frees it with the storage, also if making the storage throws.
                auto owner = std::make_unique<D>(std::move(e));
                s.data = const_cast<void*>(static_cast<const void*>(owner->data()));
                return tensor_over(s, {owner.release(), &delete_owner<D>});
            }
        }
    }
}

#endif
