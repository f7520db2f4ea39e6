// held_buffer: a flat, fixed-size buffer of T over memory that a holder keeps alive (a c10::Storage for the views
// of at::Tensor, a torch::stable::Tensor for the stable ABI's), the buffer of every xtensor view the library makes.
// It includes only xtensor, so that the stable ABI's header can use it without ATen.
#ifndef XTENSOR_TORCH_DETAIL_BUFFER_HPP
#define XTENSOR_TORCH_DETAIL_BUFFER_HPP

#include <algorithm>
#include <array>
#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

#include "xtensor.hpp"

namespace xtorch
{
    namespace detail
    {
        /// What a holder type tells held_buffer: holder_traits<H>::refuse_resize(asked, size) throws.
        template <class Holder>
        struct holder_traits;

        template <class T, class Holder>
        class held_buffer;
    }
}

namespace xt
{
    template <class T, class Holder>
    struct buffer_inner_types<xtorch::detail::held_buffer<T, Holder>>
    {
        using value_type = std::remove_const_t<T>;
        using reference = T&;
        using const_reference = const value_type&;
        using pointer = T*;
        using const_pointer = const value_type*;
        using size_type = std::size_t;
        using difference_type = std::ptrdiff_t;
        using iterator = pointer;
        using const_iterator = const_pointer;
        using reverse_iterator = std::reverse_iterator<iterator>;
        using const_reverse_iterator = std::reverse_iterator<const_iterator>;
        using index_type = size_type;
    };

    // Temporaries made while evaluating an expression that aliases a view live in ordinary memory.
    template <class T, class Holder>
    struct temporary_container<xtorch::detail::held_buffer<T, Holder>>
    {
        using type = uvector<std::remove_const_t<T>>;
    };
}

namespace xtorch
{
    namespace detail
    {
        /**
         * A flat buffer of `size` elements of T at `data`, kept alive by a copy of `holder` for as long as the
         * buffer, or any copy of it, exists. It cannot be resized: new memory would not be the tensor's.
         */
        template <class T, class Holder>
        class held_buffer : public xt::xbuffer_adaptor_base<held_buffer<T, Holder>>
        {
        public:

            using base_type = xt::xbuffer_adaptor_base<held_buffer<T, Holder>>;
            using value_type = typename base_type::value_type;
            using reference = typename base_type::reference;
            using const_reference = typename base_type::const_reference;
            using pointer = typename base_type::pointer;
            using const_pointer = typename base_type::const_pointer;
            using size_type = typename base_type::size_type;
            using difference_type = typename base_type::difference_type;
            using iterator = typename base_type::iterator;
            using const_iterator = typename base_type::const_iterator;
            using reverse_iterator = typename base_type::reverse_iterator;
            using const_reverse_iterator = typename base_type::const_reverse_iterator;
            using allocator_type = std::allocator<value_type>;
            using temporary_type = xt::uvector<value_type>;

            held_buffer() = default;

            /// An empty holder's memory may be null (torch gives an empty tensor no data): the buffer then points
            /// at a static element instead, because xtensor computes the end of an empty strided view as
            /// data + stride * (0 - 1), which is undefined on a null pointer. No element of it is ever read.
            held_buffer(Holder holder, pointer data, size_type size) noexcept
                : p_data(data != nullptr || size != 0 ? data : &empty_element)
                , m_size(size)
                , m_holder(std::move(holder))
            {
            }

            pointer data() noexcept
            {
                return p_data;
            }

            const_pointer data() const noexcept
            {
                return p_data;
            }

            size_type size() const noexcept
            {
                return m_size;
            }

            void resize(size_type size)
            {
                if (size != m_size)
                {
                    holder_traits<Holder>::refuse_resize(size, m_size);
                }
            }

            void swap(held_buffer& rhs) noexcept
            {
                std::swap(p_data, rhs.p_data);
                std::swap(m_size, rhs.m_size);
                std::swap(m_holder, rhs.m_holder);
            }

            /// Copies a temporary of the same size into the held memory (xtensor's assign_temporary).
            held_buffer& operator=(temporary_type&& tmp)
            {
                resize(tmp.size());
                std::copy(tmp.cbegin(), tmp.cend(), this->begin());
                return *this;
            }

            /// What keeps the memory alive.
            const Holder& holder() const noexcept
            {
                return m_holder;
            }

        private:

            static inline value_type empty_element{};

            pointer p_data = nullptr;
            size_type m_size = 0;
            Holder m_holder;
        };

        /**
         * A view of type V over `buffer` (a held_buffer; V an xt::xstrided_view of
         * an xt::xtensor_adaptor<held_buffer, 1>): the flat adaptor over the whole buffer is made in place
         * inside the view and shaped there. Made outside and moved in, its three one-element arrays are copied
         * with wide loads over narrow stores, which stall store forwarding (GCC at -O3), on every view made.
         */
        template <class V, class Buffer, class Shape, class Strides>
        V assemble_view(Buffer&& buffer, Shape&& shape, Strides&& strides, std::size_t offset, xt::layout_type layout)
        {
            const std::size_t size = buffer.size();
            V view(std::forward<Buffer>(buffer), std::forward<Shape>(shape), std::forward<Strides>(strides), offset,
                   layout);
            view.expression().reshape(std::array<std::size_t, 1>{size});
            return view;
        }
    }
}

#endif
