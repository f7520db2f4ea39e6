// xtorch::inline_shape, the shape and strides type of the dynamic-rank views (xarray_view): a sequence that holds
// up to eight values in place and copies them as one fixed block.
#ifndef XTENSOR_TORCH_DETAIL_INLINE_SHAPE_HPP
#define XTENSOR_TORCH_DETAIL_INLINE_SHAPE_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace xtorch
{
    /**
     * A sequence of sizes or strides of any length, for xtensor shapes: the shape_type (T = std::size_t) and
     * strides_type (T = std::ptrdiff_t) of xarray_view. Up to `inline_capacity` (8) values live inside the
     * object, more on the heap through Allocator.
     *
     * It exists for what a view costs. xtensor's own dynamic shape, xt::svector, copies and moves its inline
     * values through loops of unknown length (calls to memmove and memset) and moves by swapping; a view holds
     * three such sequences (shape, strides, backstrides) and moves each into place when it is made. This one
     * copies its few inline values with straight-line stores and no call, and is otherwise the
     * sequence xtensor expects (iterators, operator[], resize, comparisons), so xarray_view stays an
     * xt::xstrided_view. The form <T, Allocator> is the one xtensor rebinds (xt::rebind_container) to make the
     * strides type from the shape type, and makes a strided view's temporary an xt::xarray.
     *
     * T must be an arithmetic type.
     */
    template <class T, class Allocator = std::allocator<T>>
    class inline_shape
    {
        static_assert(std::is_arithmetic<T>::value, "xtorch::inline_shape holds sizes or strides");

    public:

        static constexpr std::size_t inline_capacity = 8;

        using value_type = T;
        using allocator_type = Allocator;
        using size_type = std::size_t;
        using difference_type = std::ptrdiff_t;
        using reference = T&;
        using const_reference = const T&;
        using pointer = T*;
        using const_pointer = const T*;
        using iterator = T*;
        using const_iterator = const T*;
        using reverse_iterator = std::reverse_iterator<iterator>;
        using const_reverse_iterator = std::reverse_iterator<const_iterator>;

        inline_shape() noexcept = default;

        /// n zeros.
        explicit inline_shape(size_type n) : inline_shape(n, T())
        {
        }

        /// n copies of value: in place, without a call, where they fit (every view makes three such sequences).
        inline_shape(size_type n, const T& value)
        {
            if (n <= inline_capacity)
            {
                put_values(m_inline, n, [&value](size_type) { return value; });
                m_size = n;
            }
            else
            {
                resize(n, value);
            }
        }

        template <class It, class = decltype(*std::declval<It&>(), ++std::declval<It&>(), void())>
        inline_shape(It first, It last)
        {
            assign(first, last);
        }

        inline_shape(std::initializer_list<T> values)
        {
            assign(values.begin(), values.end());
        }

        inline_shape(const inline_shape& rhs)
        {
            assign(rhs.begin(), rhs.end());
        }

        inline_shape(inline_shape&& rhs) noexcept
        {
            take_from(rhs);
        }

        ~inline_shape()
        {
            release();
        }

        inline_shape& operator=(const inline_shape& rhs)
        {
            if (this != &rhs)
            {
                assign(rhs.begin(), rhs.end());
            }
            return *this;
        }

        inline_shape& operator=(inline_shape&& rhs) noexcept
        {
            if (this != &rhs)
            {
                release();
                take_from(rhs);
            }
            return *this;
        }

        inline_shape& operator=(std::initializer_list<T> values)
        {
            assign(values.begin(), values.end());
            return *this;
        }

        template <class It>
        void assign(It first, It last)
        {
            const auto n = static_cast<size_type>(std::distance(first, last));
            reserve(n);
            using category = typename std::iterator_traits<It>::iterator_category;
            if constexpr (std::is_base_of<std::random_access_iterator_tag, category>::value)
            {
                if (n <= inline_capacity)
                {
                    put_values(p_data, n, [first](size_type i) { return static_cast<T>(first[i]); });
                    m_size = n;
                    return;
                }
            }
            std::copy(first, last, p_data);
            m_size = n;
        }

        void assign(size_type n, const T& value)
        {
            m_size = 0;
            resize(n, value);
        }

        void reserve(size_type n)
        {
            if (n > m_capacity)
            {
                grow(n);
            }
        }

        /// Grows with zeros (value-initialised, as std::vector does), or shrinks.
        void resize(size_type n)
        {
            resize(n, T());
        }

        void resize(size_type n, const T& value)
        {
            reserve(n);
            if (n > m_size)
            {
                const size_type added = n - m_size;
                if (added <= inline_capacity)
                {
                    put_values(p_data + m_size, added, [&value](size_type) { return value; });
                }
                else
                {
                    std::fill(p_data + m_size, p_data + n, value);
                }
            }
            m_size = n;
        }

        void clear() noexcept
        {
            m_size = 0;
        }

        void push_back(const T& value)
        {
            if (m_size == m_capacity)
            {
                grow(2 * m_capacity);
            }
            p_data[m_size++] = value;
        }

        void pop_back() noexcept
        {
            --m_size;
        }

        size_type size() const noexcept
        {
            return m_size;
        }

        bool empty() const noexcept
        {
            return m_size == 0;
        }

        size_type capacity() const noexcept
        {
            return m_capacity;
        }

        size_type max_size() const noexcept
        {
            return std::allocator_traits<Allocator>::max_size(Allocator());
        }

        allocator_type get_allocator() const noexcept
        {
            return Allocator();  // stateless: made where it is needed
        }

        T* data() noexcept
        {
            return p_data;
        }

        const T* data() const noexcept
        {
            return p_data;
        }

        T& operator[](size_type i) noexcept
        {
            return p_data[i];
        }

        const T& operator[](size_type i) const noexcept
        {
            return p_data[i];
        }

        T& at(size_type i)
        {
            check_index(i);
            return p_data[i];
        }

        const T& at(size_type i) const
        {
            check_index(i);
            return p_data[i];
        }

        T& front() noexcept
        {
            return p_data[0];
        }

        const T& front() const noexcept
        {
            return p_data[0];
        }

        T& back() noexcept
        {
            return p_data[m_size - 1];
        }

        const T& back() const noexcept
        {
            return p_data[m_size - 1];
        }

        iterator begin() noexcept
        {
            return p_data;
        }

        iterator end() noexcept
        {
            return p_data + m_size;
        }

        const_iterator begin() const noexcept
        {
            return p_data;
        }

        const_iterator end() const noexcept
        {
            return p_data + m_size;
        }

        const_iterator cbegin() const noexcept
        {
            return begin();
        }

        const_iterator cend() const noexcept
        {
            return end();
        }

        reverse_iterator rbegin() noexcept
        {
            return reverse_iterator(end());
        }

        reverse_iterator rend() noexcept
        {
            return reverse_iterator(begin());
        }

        const_reverse_iterator rbegin() const noexcept
        {
            return const_reverse_iterator(end());
        }

        const_reverse_iterator rend() const noexcept
        {
            return const_reverse_iterator(begin());
        }

        const_reverse_iterator crbegin() const noexcept
        {
            return rbegin();
        }

        const_reverse_iterator crend() const noexcept
        {
            return rend();
        }

        void swap(inline_shape& rhs) noexcept
        {
            inline_shape tmp(std::move(rhs));
            rhs = std::move(*this);
            *this = std::move(tmp);
        }

    private:

        bool on_heap() const noexcept
        {
            return p_data != m_inline;
        }

        /**
         * Writes n <= inline_capacity values one by one, each case falling through to the next: straight-line
         * stores of the values' own width. A block copy or fill (memmove, memset, or a loop the compiler widens)
         * is read back soon after by narrower loads, here and in xt::svector, which stalls store forwarding on
         * every view made: the view's sequences are filled from torch's sizes and strides, then moved into the
         * view, and its backstrides made as zeros before they are computed. `value(i)` gives value i.
         */
        template <class Value>
        static void put_values(T* to, size_type n, Value value) noexcept
        {
            switch (n)
            {
                case 8: to[7] = value(7); [[fallthrough]];
                case 7: to[6] = value(6); [[fallthrough]];
                case 6: to[5] = value(5); [[fallthrough]];
                case 5: to[4] = value(4); [[fallthrough]];
                case 4: to[3] = value(3); [[fallthrough]];
                case 3: to[2] = value(2); [[fallthrough]];
                case 2: to[1] = value(1); [[fallthrough]];
                case 1: to[0] = value(0); [[fallthrough]];
                default: break;
            }
        }

        /// rhs's heap block is taken as it is; inline values are copied. rhs is left empty and inline.
        void take_from(inline_shape& rhs) noexcept
        {
            if (rhs.on_heap())
            {
                p_data = rhs.p_data;
                m_capacity = rhs.m_capacity;
                m_size = rhs.m_size;
                rhs.p_data = rhs.m_inline;
                rhs.m_capacity = inline_capacity;
            }
            else
            {
                put_values(m_inline, rhs.m_size, [&rhs](size_type i) { return rhs.m_inline[i]; });
                p_data = m_inline;
                m_capacity = inline_capacity;
                m_size = rhs.m_size;
            }
            rhs.m_size = 0;
        }

        void release() noexcept
        {
            if (on_heap())
            {
                Allocator allocator;
                std::allocator_traits<Allocator>::deallocate(allocator, p_data, m_capacity);
                p_data = m_inline;
                m_capacity = inline_capacity;
            }
        }

        void grow(size_type n)
        {
            n = std::max(n, inline_capacity + 1);
            Allocator allocator;
            T* block = std::allocator_traits<Allocator>::allocate(allocator, n);
            std::copy(p_data, p_data + m_size, block);
            release();
            p_data = block;
            m_capacity = n;
        }

        void check_index(size_type i) const
        {
            if (i >= m_size)
            {
                throw std::out_of_range("xtorch::inline_shape: index " + std::to_string(i) + " of "
                                        + std::to_string(m_size) + " values");
            }
        }

        T m_inline[inline_capacity];  // the values up to m_size; the rest is never read
        T* p_data = m_inline;
        size_type m_size = 0;
        size_type m_capacity = inline_capacity;
    };

    template <class T, class A>
    bool operator==(const inline_shape<T, A>& a, const inline_shape<T, A>& b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

    template <class T, class A>
    bool operator!=(const inline_shape<T, A>& a, const inline_shape<T, A>& b) noexcept
    {
        return !(a == b);
    }

    namespace detail
    {
        /// Whether S is a sequence other than an inline_shape (std::vector, std::array, xt::svector, ...).
        template <class S, class = void>
        struct is_other_sequence : std::false_type
        {
        };

        template <class S>
        struct is_other_sequence<S, std::void_t<decltype(std::declval<const S&>().begin()),
                                                decltype(std::declval<const S&>().end()),
                                                decltype(std::declval<const S&>().size())>> : std::true_type
        {
        };

        template <class T, class A>
        struct is_other_sequence<inline_shape<T, A>> : std::false_type
        {
        };
    }

    /// Shapes compare with other sequences, as xtensor's own do: `v.shape() == std::vector<std::size_t>{4, 3}`,
    /// `v.shape() == a.shape()` for an xt::xarray a.
    template <class T, class A, class S, std::enable_if_t<detail::is_other_sequence<S>::value, int> = 0>
    bool operator==(const inline_shape<T, A>& a, const S& b)
    {
        return a.size() == static_cast<std::size_t>(b.size()) && std::equal(a.begin(), a.end(), b.begin());
    }

    template <class T, class A, class S, std::enable_if_t<detail::is_other_sequence<S>::value, int> = 0>
    bool operator==(const S& a, const inline_shape<T, A>& b)
    {
        return b == a;
    }

    template <class T, class A, class S, std::enable_if_t<detail::is_other_sequence<S>::value, int> = 0>
    bool operator!=(const inline_shape<T, A>& a, const S& b)
    {
        return !(a == b);
    }

    template <class T, class A, class S, std::enable_if_t<detail::is_other_sequence<S>::value, int> = 0>
    bool operator!=(const S& a, const inline_shape<T, A>& b)
    {
        return !(b == a);
    }

    template <class T, class A>
    bool operator<(const inline_shape<T, A>& a, const inline_shape<T, A>& b) noexcept
    {
        return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
    }

    template <class T, class A>
    void swap(inline_shape<T, A>& a, inline_shape<T, A>& b) noexcept
    {
        a.swap(b);
    }
}

#endif
