// A tensor's geometry in torch's terms (sizes, strides, span) read from an xtensor expression and checked, and
// CPU tensors over memory that torch did not allocate: what as_tensor, to_tensor, to_xarray, DLPack and the
// Python casters share.
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

        /// The name of a call for a message: given as text, or made by a callable only when a message is needed.
        inline const std::string& call_text(const std::string& call)
        {
            return call;
        }

        inline std::string call_text(const char* call)
        {
            return call;
        }

        template <class F, class = decltype(std::declval<const F&>()())>
        std::string call_text(const F& make_call)
        {
            return make_call();
        }

        /// What settle_geometry can find wrong with a geometry.
        enum class geometry_fault
        {
            none,
            too_large,       // an element or byte count does not fit in int64
            outside_storage  // the last element lies past the memory's capacity
        };

        /**
         * The one routine that settles and checks a geometry, for every importer (xtensor expressions, tensors
         * viewed by as_xarray or a view parameter, numpy arrays, DLPack tensors), after the importer's own checks
         * (negative strides, byte strides, ...) have filled g.sizes and g.strides in elements:
         * - a size-1 dimension gets the stride a contiguous tensor would have there (what torch makes, and what
         *   is_contiguous() expects), whatever the source gave it (xtensor gives 0, producers anything);
         * - element and byte counts that do not fit in int64 are a fault, never wrapped;
         * - where `capacity` (elements of the memory from element 0) is known (>= 0), a geometry whose last
         *   element lies past it is a fault;
         * - g.span becomes the elements from the first to one past the last (0 when empty).
         * It builds no text: callers that refuse use geometry_refusal, the others read the fault.
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

        /// The problem, found and expected parts of a refusal's message (the call and the fix are the caller's).
        struct refusal_parts
        {
            std::string problem;
            std::string found;
            std::string expected;
        };

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

        /// The parts of the refusal of negative strides (torch has none), for every source: `noun` names it ("numpy
        /// array", "DLPack tensor", "expression", "tensor"), `strides` shows them in the reader's spelling.
        inline refusal_parts negative_stride_refusal(const std::string& noun, const std::string& strides)
        {
            return {"at least one stride in the given " + noun
                        + " is negative, and tensors with negative strides are not currently supported",
                    "strides " + strides, "non-negative strides"};
        }

        /// The parts of the refusal of a geometry that settle() found at fault; `what` names the source.
        inline refusal_parts geometry_refusal(geometry_fault fault, const geometry& g, std::int64_t offset,
                                              std::int64_t capacity, const std::string& what, audience reader)
        {
            if (fault == geometry_fault::too_large)
            {
                return {what + "'s sizes and strides span more bytes than a tensor can address",
                        "sizes " + format_shape(g.sizes, reader) + " and strides "
                            + format_shape(g.strides, reader),
                        "element and byte counts below 2^63"};
            }
            return {what + "'s sizes and strides reach outside its storage",
                    "last element at index " + std::to_string(offset + g.span - 1),
                    "an index below the storage size " + std::to_string(capacity)};
        }

        /**
         * settle() for importers that refuse with conversion_error: `what` names the source in messages ("the
         * expression", "the DLPack tensor"); `call` is the call's name, or a callable that makes it, which runs
         * only when a refusal needs it (the calls that succeed, the hot path, build no text).
         */
        template <class Call>
        void settle_geometry(geometry& g, std::int64_t offset, std::int64_t itemsize, std::int64_t capacity,
                             const Call& call, const char* what, const char* fix)
        {
            const geometry_fault fault = settle(g, offset, itemsize, capacity);
            if (fault != geometry_fault::none)
            {
                const refusal_parts parts = geometry_refusal(fault, g, offset, capacity, what, audience::cpp);
                refuse(call_text(call), parts.problem, parts.found, parts.expected, fix);
            }
        }

        /**
         * Reads the shape and strides of e for torch, through settle_geometry. Negative strides (a reversed
         * xt::view) are refused (torch has none), or made positive when `absolute` is set.
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
            for (std::size_t d = 0; d < rank; ++d)
            {
                if (shape[d] > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max()))
                {
                    refuse(call,
                           "the expression's sizes and strides span more bytes than a tensor can address",
                           "sizes " + format_list(shape) + " and strides " + format_list(strides),
                           "element and byte counts below 2^63", "Convert a smaller view of the expression.");
                }
                g.sizes[d] = static_cast<std::int64_t>(shape[d]);
                g.strides[d] = static_cast<std::int64_t>(strides[d]);
                if (absolute && g.strides[d] < 0)
                {
                    g.strides[d] = -g.strides[d];
                }
                if (g.strides[d] < 0 && g.sizes[d] > 1)
                {
                    const refusal_parts parts = negative_stride_refusal("expression", format_list(strides));
                    refuse(call, parts.problem, parts.found, parts.expected,
                           "Use xtorch::to_tensor(e) to copy it into a new tensor.");
                }
            }
            using value_type = typename E::value_type;
            settle_geometry(g, static_cast<std::int64_t>(e.data_offset()), sizeof(value_type), -1, call,
                            "the expression", "Convert a smaller view of the expression.");
            return g;
        }

        /// A CPU tensor of dtype st over `storage`, with the given offset (elements), sizes and strides.
        inline at::Tensor make_cpu_tensor(c10::Storage storage, std::int64_t offset, const geometry& g,
                                          c10::ScalarType st)
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
            return c10::Storage(c10::Storage::use_byte_size_t(), static_cast<std::int64_t>(bytes),
                                std::move(ptr),
                                /*allocator=*/nullptr, /*resizable=*/false);
        }

        /**
         * A tensor that borrows the memory of the strided expression e: valid while e's memory is. With an
         * `owner`, the storage holds it and calls release(owner) when the last tensor over it is gone (also
         * if making the tensor throws).
         */
        template <class E>
        at::Tensor borrow(const E& e, const geometry& g, void* owner = nullptr,
                          c10::DeleterFnPtr release = nullptr)
        {
            using value_type = typename E::value_type;
            auto* base = const_cast<value_type*>(e.data());
            const auto offset = static_cast<std::int64_t>(e.data_offset());
            const std::size_t bytes = static_cast<std::size_t>(offset + g.span) * sizeof(value_type);
            c10::DataPtr ptr = owner != nullptr
                                   ? c10::DataPtr(base, owner, release, c10::Device(c10::DeviceType::CPU))
                                   : c10::DataPtr(base, c10::Device(c10::DeviceType::CPU));
            return make_cpu_tensor(make_storage(std::move(ptr), bytes), offset, g,
                                   scalar_type_of<value_type>());
        }
    }
}

#endif
