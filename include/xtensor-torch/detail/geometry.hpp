// A tensor's geometry in torch's terms (sizes, strides in elements, span), its arithmetic checked against int64,
// and how messages spell shapes for C++ and Python readers: what the import layer (import.hpp) builds on.
#ifndef XTENSOR_TORCH_DETAIL_GEOMETRY_HPP
#define XTENSOR_TORCH_DETAIL_GEOMETRY_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "../dtype.hpp"
#include "refusal.hpp"
#include "refusal_parts.hpp"

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

        /// What settle can find wrong with a geometry.
        enum class geometry_fault
        {
            none,
            too_large,       // an element or byte count does not fit in int64
            outside_storage  // the last element lies past the memory's capacity
        };

        /**
         * The arithmetic of settle_source (import.hpp), for every source, once g.sizes and g.strides are in
         * elements:
         * - a size-1 dimension gets the stride a contiguous tensor would have there (what torch makes, and what
         *   is_contiguous() expects), whatever the source gave it (xtensor gives 0, producers anything);
         * - element and byte counts that do not fit in int64 are a fault, never wrapped;
         * - where `capacity` (elements of the memory from element 0) is known (>= 0), a geometry whose last
         *   element lies past it is a fault;
         * - g.span becomes the elements from the first to one past the last (0 when empty).
         */
        inline geometry_fault settle(geometry& g, std::int64_t offset, std::int64_t itemsize,
                                     std::int64_t capacity)
        {
            const std::size_t rank = g.sizes.size();
            bool overflow = false;
            bool empty = false;
            std::int64_t next = 1;  // the stride a contiguous tensor would have at dimension d
            for (std::size_t d = rank; d-- > 0;)
            {
                empty = empty || g.sizes[d] == 0;
                if (g.sizes[d] == 1 && !overflow)
                {
                    g.strides[d] = next;
                }
                overflow =
                    overflow || __builtin_mul_overflow(next, std::max<std::int64_t>(g.sizes[d], 1), &next);
            }
            g.span = 0;
            if (!empty)
            {
                g.span = 1;
                for (std::size_t d = 0; d < rank; ++d)
                {
                    std::int64_t reach = 0;
                    overflow = overflow || __builtin_mul_overflow(g.sizes[d] - 1, g.strides[d], &reach)
                               || __builtin_add_overflow(g.span, reach, &g.span);
                }
                std::int64_t bytes = 0;
                overflow = overflow || __builtin_add_overflow(g.span, offset, &bytes)
                           || __builtin_mul_overflow(bytes, itemsize, &bytes);
            }
            if (overflow)
            {
                return geometry_fault::too_large;
            }
            if (capacity >= 0 && g.span > 0 && offset + g.span > capacity)
            {
                return geometry_fault::outside_storage;
            }
            return geometry_fault::none;
        }

        /// Who reads a refusal, and so how values are spelled: C++ ([2, 3], true, Float) or Python ((2, 3),
        /// True, float32).
        enum class audience
        {
            cpp,
            python
        };

        /// "[2, 3]" for C++, "(2, 3)" for Python.
        template <class C>
        std::string format_shape(const C& values, audience reader)
        {
            if (reader == audience::cpp)
            {
                return format_list(values);
            }
            std::string out = "(";
            std::size_t n = 0;
            for (const auto& v : values)
            {
                out += (n++ ? ", " : "") + std::to_string(v);
            }
            return out + (n == 1 ? ",)" : ")");
        }

        /// The parts of the refusal of a tensor of `sizes` where rank `rank` was asked for: the rank refusal of
        /// every call with a static rank.
        template <class C>
        refusal_parts rank_refusal(const C& sizes, std::int64_t rank, audience reader)
        {
            const bool py = reader == audience::python;
            return {"rank mismatch",
                    "rank " + std::to_string(sizes.size()) + (py ? ", shape " : " (sizes ")
                        + format_shape(sizes, reader) + (py ? "" : ")"),
                    "rank " + std::to_string(rank)};
        }
    }
}

#endif
