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

#include "dtype.hpp"
#include "errors.hpp"
#include "views.hpp"

namespace xtorch
{
    namespace detail
    {
        /// Sizes and strides in torch's terms (int64, elements) of a strided xtensor expression.
        struct geometry
        {
            c10::SmallVector<std::int64_t, 6> sizes;
            c10::SmallVector<std::int64_t, 6> strides;
            std::int64_t span = 0;  // elements from the first to one past the last, 0 when empty
        };

        /**
         * Reads the shape and strides of e for torch. xtensor gives size-1 dimensions stride 0; torch
         * would accept that, but the stride a contiguous tensor would have is what torch itself makes
         * and what is_contiguous() expects, so those get it. Negative strides (a reversed xt::view)
         * are refused (torch has none), or made positive when `absolute` is set.
         */
        template <class E>
        geometry read_geometry(const E& e, const char* call, bool absolute = false)
        {
            geometry g;
            const auto& shape = e.shape();
            const auto& strides = e.strides();
            const std::size_t rank = shape.size();
            g.sizes.resize(rank);
            g.strides.resize(rank);
            // Torch counts elements and bytes in int64: refuse what would wrap instead of misreading it.
            bool overflow = false;
            bool empty = false;
            for (std::size_t d = 0; d < rank; ++d)
            {
                overflow = overflow || shape[d] > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
                g.sizes[d] = static_cast<std::int64_t>(shape[d]);
                g.strides[d] = static_cast<std::int64_t>(strides[d]);
                empty = empty || shape[d] == 0;
                if (absolute && g.strides[d] < 0)
                {
                    g.strides[d] = -g.strides[d];
                }
                if (g.strides[d] < 0 && g.sizes[d] > 1)
                {
                    refuse(call,
                           "at least one stride in the given expression is negative, and tensors with negative "
                           "strides are not currently supported",
                           "strides " + format_list(strides), "non-negative strides",
                           "Use xtorch::to_tensor(e) to copy it into a new tensor.");
                }
            }
            std::int64_t next = 1;  // the stride a contiguous tensor would have at dimension d
            for (std::size_t d = rank; d-- > 0 && !overflow;)
            {
                if (g.sizes[d] == 1)
                {
                    g.strides[d] = next;
                }
                overflow = __builtin_mul_overflow(g.strides[d], std::max<std::int64_t>(g.sizes[d], 1), &next);
            }
            using value_type = typename E::value_type;
            std::int64_t numel = 1;
            for (std::size_t d = 0; d < rank; ++d)
            {
                overflow = overflow || __builtin_mul_overflow(numel, g.sizes[d], &numel);
            }
            if (!empty && !overflow)
            {
                g.span = 1;
                for (std::size_t d = 0; d < rank; ++d)
                {
                    std::int64_t reach = 0;
                    overflow = overflow || __builtin_mul_overflow(g.sizes[d] - 1, g.strides[d], &reach)
                               || __builtin_add_overflow(g.span, reach, &g.span);
                }
                std::int64_t bytes = 0;
                overflow = overflow
                           || __builtin_add_overflow(g.span, static_cast<std::int64_t>(e.data_offset()), &bytes)
                           || __builtin_mul_overflow(bytes, static_cast<std::int64_t>(sizeof(value_type)), &bytes);
            }
            if (overflow)
            {
                refuse(call, "the expression's sizes and strides span more bytes than a tensor can address",
                       "sizes " + format_list(shape) + " and strides " + format_list(strides),
                       "element and byte counts below 2^63", "Convert a smaller view of the expression.");
            }
            return g;
        }

        /// A CPU tensor of dtype st over `storage`, with the given offset (elements), sizes and strides.
        inline at::Tensor make_cpu_tensor(c10::Storage storage, std::int64_t offset, const geometry& g, c10::ScalarType st)
        {
            auto t = at::detail::make_tensor<c10::TensorImpl>(std::move(storage),
                                                              c10::DispatchKeySet(c10::DispatchKey::CPU),
                                                              c10::scalarTypeToTypeMeta(st));
            auto* impl = t.unsafeGetTensorImpl();
            impl->set_sizes_and_strides(g.sizes, g.strides);
            impl->set_storage_offset(offset);
            return t;
        }

        /// A CPU storage of `bytes` bytes at ptr.get(); ptr's deleter runs when the last tensor over it is
        /// gone. The storage cannot be resized: torch cannot grow memory it did not allocate.
        inline c10::Storage make_storage(c10::DataPtr ptr, std::size_t bytes)
        {
            return c10::Storage(c10::Storage::use_byte_size_t(), static_cast<std::int64_t>(bytes), std::move(ptr),
                                /*allocator=*/nullptr, /*resizable=*/false);
        }

        /**
         * A tensor that borrows the memory of the strided expression e: valid while e's memory is. With an
         * `owner`, the storage holds it and calls release(owner) when the last tensor over it is gone (also
         * if making the tensor throws).
         */
        template <class E>
        at::Tensor borrow(const E& e, const geometry& g, void* owner = nullptr, c10::DeleterFnPtr release = nullptr)
        {
            using value_type = typename E::value_type;
            auto* base = const_cast<value_type*>(e.data());
            const auto offset = static_cast<std::int64_t>(e.data_offset());
            const std::size_t bytes = static_cast<std::size_t>(offset + g.span) * sizeof(value_type);
            c10::DataPtr ptr = owner != nullptr ? c10::DataPtr(base, owner, release, c10::Device(c10::DeviceType::CPU))
                                                : c10::DataPtr(base, c10::Device(c10::DeviceType::CPU));
            return make_cpu_tensor(make_storage(std::move(ptr), bytes), offset, g, scalar_type_of<value_type>());
        }

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
            : std::integral_constant<bool, std::is_lvalue_reference<C>::value || move_keeps_data<std::decay_t<C>>::value>
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
        template <class E>
        struct is_read_only
            : std::is_const<std::remove_pointer_t<decltype(std::declval<std::remove_reference_t<E>&>().data())>>
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
        static_assert(xt::is_xexpression<D>::value,
                      "xtorch::as_tensor takes an xtensor expression (xt::xarray, xt::xtensor, xt::adapt, xt::view, ...).");
        static_assert(xt::has_data_interface<D>::value,
                      "xtorch::as_tensor: this expression has no memory to share (a lazy expression such as a + b or "
                      "xt::arange, or a view with non-strided slices). Use xtorch::to_tensor(e) to evaluate it into a "
                      "new tensor.");
        static_assert(!detail::is_read_only<E>::value,
                      "xtorch::as_tensor: the expression is const, and torch has no read-only tensors, so the tensor "
                      "could write into it. Use xtorch::to_tensor(e) to copy it, or pass a non-const expression.");
        static_assert(std::is_lvalue_reference<E>::value || detail::move_keeps_data<D>::value,
                      "xtorch::as_tensor: this temporary holds its elements inline (xt::xtensor_fixed, or a view that "
                      "owns one), so moving it into the tensor would copy them. Use xtorch::to_tensor(e), or pass a "
                      "variable to borrow its memory.");
        return detail::share(std::forward<E>(e), "xtorch::as_tensor");
    }
}

#endif
