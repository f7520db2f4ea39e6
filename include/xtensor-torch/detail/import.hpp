// The import layer: whatever memory a tensor or a view is made over (an xtensor expression, a tensor, a numpy array,
// a DLPack tensor), its adapter fills one strided_source record; one routine checks and settles it, each fault is
// described once for C++ or Python readers, and one routine makes the tensor over the memory. A new source is a
// new adapter: the expression's and the tensor's are here, DLPack's in dlpack.hpp, numpy's in python/importers.hpp.
#ifndef XTENSOR_TORCH_DETAIL_IMPORT_HPP
#define XTENSOR_TORCH_DETAIL_IMPORT_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "../dtype.hpp"
#include "call_site.hpp"
#include "geometry.hpp"
#include "refusal.hpp"

namespace xtorch
{
    namespace detail
    {
        /// Memory and its geometry as a source states them, before any check.
        struct strided_source
        {
            void* data = nullptr;        // element 0 of the memory, not owned; may be null for a tensor's
            geometry g;                  // sizes and strides in elements; settle_source sets g.span
            std::int64_t offset = 0;     // elements from `data` to the first element
            std::int64_t capacity = -1;  // elements of memory from `data`; -1 when the source does not say
            std::int64_t itemsize = 1;   // bytes of an element
            std::int64_t alignment = 1;  // the first element's address must be a multiple of it (bytes)
            c10::ScalarType dtype = c10::ScalarType::Undefined;
            bool read_only = false;     // the source forbids writes
            bool too_large = false;     // a count of the source does not fit in int64 (g holds garbage there)
            bool byte_strides = false;  // the source states strides in bytes (numpy): messages show them so
        };

        /// What settle_source can find wrong, in the order it checks.
        enum class import_fault
        {
            none,
            negative_stride,  // torch has none, nor have xtensor's adaptors
            too_large,        // an element or byte count past int64
            outside_storage,  // the last element lies past the capacity
            misaligned,       // the first element's address is no multiple of the alignment
            read_only,        // a writable import of memory the source forbids writing
            self_overlap      // a writable import whose elements may share memory (a zero or interleaved stride)
        };

        /**
         * Whether two elements of the settled g may share memory: a zero stride on a dimension longer than 1, or
         * strides that do not nest. Taken in ascending order, each dimension's stride must pass the extent of the
         * smaller ones; nested strides prove that no two elements meet. The rare interleaved strides that do not
         * nest and yet never meet count as overlapping too: a writable view of them is refused, not guessed at.
         */
        inline bool may_overlap(const geometry& g)
        {
            c10::SmallVector<std::pair<std::int64_t, std::int64_t>, 6> dims;  // (stride, size) of sizes past 1
            for (std::size_t d = 0; d < g.sizes.size(); ++d)
            {
                if (g.sizes[d] == 0)
                {
                    return false;  // no element at all
                }
                if (g.sizes[d] > 1)
                {
                    dims.emplace_back(g.strides[d], g.sizes[d]);
                }
            }
            std::sort(dims.begin(), dims.end());
            std::int64_t extent = 1;  // elements from the first one to past the last, over the smaller dimensions
            for (const auto& [stride, size] : dims)
            {
                if (stride < extent)
                {
                    return true;
                }
                extent += stride * (size - 1);  // within g.span, which settle() proved fits int64
            }
            return false;
        }

        /// Whether `value` is a multiple of `n` (n > 0): a mask where n is a power of two, as alignments are; a
        /// 64-bit division takes tens of cycles, on every call of a bound function.
        template <class U>
        constexpr bool is_multiple(U value, U n) noexcept
        {
            return (n & (n - 1)) == 0 ? (value & (n - 1)) == 0 : value % n == 0;
        }

        /**
         * The one check of every import: negative strides (on dimensions longer than 1), counts past int64,
         * memory past the capacity, the alignment of the first element, and, where `writable`, read-only memory
         * and elements that may share memory (torch's in-place operations refuse those too). Settles the
         * geometry as settle() does (span, the strides of size-1 dimensions). Builds no text.
         */
        inline import_fault settle_source(strided_source& s, bool writable)
        {
            for (std::size_t d = 0; d < s.g.sizes.size(); ++d)
            {
                if (s.g.strides[d] < 0 && s.g.sizes[d] > 1)
                {
                    return import_fault::negative_stride;
                }
            }
            if (s.too_large)
            {
                return import_fault::too_large;
            }
            switch (settle(s.g, s.offset, s.itemsize, s.capacity))
            {
                case geometry_fault::too_large: return import_fault::too_large;
                case geometry_fault::outside_storage: return import_fault::outside_storage;
                case geometry_fault::none: break;
            }
            const auto first =
                reinterpret_cast<std::uintptr_t>(s.data) + static_cast<std::uintptr_t>(s.offset * s.itemsize);
            if (s.g.span > 0 && !is_multiple(first, static_cast<std::uintptr_t>(s.alignment)))
            {
                return import_fault::misaligned;
            }
            if (writable && s.read_only)
            {
                return import_fault::read_only;
            }
            if (writable && may_overlap(s.g))
            {
                return import_fault::self_overlap;
            }
            return import_fault::none;
        }

        /// The strides of s as its source states them: "[3, -1]", or "(24, -8) bytes" for numpy.
        inline std::string source_strides(const strided_source& s, audience reader)
        {
            if (!s.byte_strides)
            {
                return format_shape(s.g.strides, reader);
            }
            c10::SmallVector<std::int64_t, 6> bytes;
            for (const auto stride : s.g.strides)
            {
                bytes.push_back(stride * s.itemsize);
            }
            return format_shape(bytes, reader) + " bytes";
        }

        /// The problem, found and expected parts of fault f of s; `noun` names the source ("numpy array").
        inline refusal_parts describe_import_fault(import_fault f, const strided_source& s,
                                                   const std::string& noun, audience reader)
        {
            switch (f)
            {
                case import_fault::negative_stride:
                    return negative_stride_refusal(noun, source_strides(s, reader));
                case import_fault::too_large:
                    return {"the " + noun + "'s sizes and strides span more bytes than a tensor can address",
                            s.too_large ? std::string("a count past int64")
                                        : "sizes " + format_shape(s.g.sizes, reader) + " and strides "
                                              + source_strides(s, reader),
                            "element and byte counts below 2^63"};
                case import_fault::outside_storage:
                    return {"the " + noun + "'s sizes and strides reach outside its storage",
                            "last element at index " + std::to_string(s.offset + s.g.span - 1),
                            "an index below the storage size " + std::to_string(s.capacity)};
                case import_fault::misaligned:
                    return {"the " + noun + "'s data is not aligned to its element size",
                            "address "
                                + std::to_string(reinterpret_cast<std::uintptr_t>(s.data)
                                                 + static_cast<std::uintptr_t>(s.offset * s.itemsize)),
                            "a multiple of " + std::to_string(s.alignment)};
                case import_fault::read_only:
                    return {"the " + noun + " is read-only", "the read-only flag set", "writable memory"};
                case import_fault::self_overlap:
                    return {"more than one element of the written-to " + noun
                                + " may refer to a single memory location",
                            "sizes " + format_shape(s.g.sizes, reader) + " and strides " + source_strides(s, reader),
                            "strides that give each element memory of its own"};
                case import_fault::none: break;
            }
            return {"no refusal", "an importable source", "a fault"};  // none is never described
        }

        /**
         * settle_source for C++ callers: a fault throws conversion_error naming `call`, with the fix that
         * `fix(fault)` gives in the source's terms.
         */
        template <class Fix>
        void settle_or_refuse(strided_source& s, bool writable, const call_site& call, const char* noun,
                              const Fix& fix)
        {
            const import_fault fault = settle_source(s, writable);
            if (fault != import_fault::none)
            {
                const refusal_parts parts = describe_import_fault(fault, s, noun, audience::cpp);
                refuse(call, parts.problem, parts.found, parts.expected, fix(fault));
            }
        }

        /// The adapter of a strided xtensor expression whose elements lie at `data`, as its strides and offset
        /// state (an xt::reshape_view of row-major memory states them but has no data() of its own), unchecked.
        template <class E, class P>
        strided_source expression_source(const E& e, P* data)
        {
            using value_type = typename E::value_type;
            strided_source s;
            s.data = const_cast<std::remove_const_t<value_type>*>(data);
            s.offset = static_cast<std::int64_t>(e.data_offset());
            s.itemsize = static_cast<std::int64_t>(sizeof(value_type));
            s.dtype = scalar_type_of<value_type>();
            const auto& shape = e.shape();
            const auto& strides = e.strides();
            s.g.sizes.resize(shape.size());
            s.g.strides.resize(shape.size());
            for (std::size_t d = 0; d < shape.size(); ++d)
            {
                s.too_large =
                    s.too_large
                    || shape[d] > static_cast<std::size_t>(std::numeric_limits<std::int64_t>::max());
                s.g.sizes[d] = static_cast<std::int64_t>(shape[d]);
                s.g.strides[d] = static_cast<std::int64_t>(strides[d]);
            }
            return s;
        }

        /// The adapter of a strided xtensor expression with memory: its memory as it states it, unchecked.
        template <class E>
        strided_source expression_source(const E& e)
        {
            return expression_source(e, e.data());
        }

        /// How to import an expression instead, by fault.
        inline const char* expression_fix(import_fault f)
        {
            switch (f)
            {
                case import_fault::negative_stride:
                    return "Use xtorch::to_tensor(e) to copy it into a new tensor.";
                case import_fault::too_large:
                case import_fault::outside_storage:
                case import_fault::misaligned: return "Convert a smaller view of the expression.";
                case import_fault::read_only:
                case import_fault::self_overlap: return "Use xtorch::to_tensor(e) to copy it.";
                case import_fault::none: break;
            }
            return "";
        }

        /// The memory of the strided expression e, checked: negative strides and counts past int64 refused.
        template <class E>
        strided_source import_expression(const E& e, const call_site& call)
        {
            strided_source s = expression_source(e);
            settle_or_refuse(s, /*writable=*/false, call, "expression", expression_fix);
            return s;
        }

        /// The adapter of a tensor: its storage's capacity and its own geometry (data is not read).
        inline strided_source tensor_source(const at::Tensor& t)
        {
            strided_source s;
            s.g.sizes.assign(t.sizes().begin(), t.sizes().end());
            s.g.strides.assign(t.strides().begin(), t.strides().end());
            s.offset = t.storage_offset();
            s.itemsize = static_cast<std::int64_t>(t.element_size());
            s.capacity = static_cast<std::int64_t>(storage_of(t).nbytes()) / s.itemsize;
            s.dtype = t.scalar_type();
            return s;
        }

        /**
         * Whether the storage of t, taken to be contiguous, holds its elements: offset + numel of them, without
         * copying sizes and strides (the common case of the view checks and the direct copies). Compared in
         * bytes: perf put more of the view check's time on a division by the element size than on any other
         * instruction. False where the count overflows.
         */
        inline bool contiguous_storage_holds(const at::Tensor& t)
        {
            std::int64_t end = 0;
            std::int64_t end_bytes = 0;
            return !__builtin_add_overflow(t.storage_offset(), t.numel(), &end)
                   && !__builtin_mul_overflow(end, static_cast<std::int64_t>(t.element_size()), &end_bytes)
                   && end_bytes <= static_cast<std::int64_t>(storage_of(t).nbytes());
        }

        /**
         * Who keeps foreign memory alive: `context`, released by `release` when the last tensor over the memory
         * is gone. Without a context the memory is borrowed: valid while its owner keeps it.
         */
        struct memory_owner
        {
            void* context = nullptr;
            c10::DeleterFnPtr release = nullptr;
        };

        /**
         * A CPU storage of the memory of the settled s, from s.data to its last element, that keeps `owner`
         * (and releases it also when this throws). It cannot be resized: torch cannot grow memory it did not
         * allocate.
         */
        inline c10::Storage storage_over(const strided_source& s, memory_owner owner)
        {
            const c10::Device cpu(c10::DeviceType::CPU);
            c10::DataPtr ptr = owner.context != nullptr
                                   ? c10::DataPtr(s.data, owner.context, owner.release, cpu)
                                   : c10::DataPtr(s.data, cpu);
            return c10::Storage(c10::Storage::use_byte_size_t(), (s.offset + s.g.span) * s.itemsize,
                                std::move(ptr), /*allocator=*/nullptr, /*resizable=*/false);
        }

        /// The one routine that makes a tensor over memory: a CPU tensor over `storage` with the dtype, sizes,
        /// strides and offset (elements from the storage's start) of the settled s.
        inline at::Tensor tensor_over(c10::Storage storage, const strided_source& s)
        {
            auto t = at::detail::make_tensor<c10::TensorImpl>(std::move(storage),
                                                              c10::DispatchKeySet(c10::DispatchKey::CPU),
                                                              c10::scalarTypeToTypeMeta(s.dtype));
            auto* impl = t.unsafeGetTensorImpl();
            impl->set_sizes_and_strides(s.g.sizes, s.g.strides);
            impl->set_storage_offset(s.offset);
            return t;
        }

        /// A tensor over the memory of the settled s, kept by `owner` (none: borrowed).
        inline at::Tensor tensor_over(const strided_source& s, memory_owner owner = {})
        {
            return tensor_over(storage_over(s, owner), s);
        }
    }
}

#endif
