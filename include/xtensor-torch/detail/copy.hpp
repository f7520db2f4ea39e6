// The copies behind to_tensor, to_xarray and the container caster: the checks before allocating, torch's copy_,
// and a tiled cast-copy for transposed sources.
#ifndef XTENSOR_TORCH_DETAIL_COPY_HPP
#define XTENSOR_TORCH_DETAIL_COPY_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

#include "../dtype.hpp"
#include "geometry.hpp"
#include "import.hpp"
#include "kernels.hpp"
#include "memory.hpp"
#include "refusal.hpp"
#include "view_refusals.hpp"

namespace xtorch
{
    namespace detail
    {
        /**
         * Whether the elements of t can be read directly, as one contiguous run in memory it owns: a
         * CPU tensor, strided and contiguous, of a dtype with a C++ type, without the conjugate or
         * negative bit, with memory (no ZeroTensor, no Python subclass) that holds all its elements.
         * Anything else goes through torch's copy_.
         */
        inline bool directly_readable(const at::Tensor& t)
        {
            if (!t.is_cpu() || t.layout() != c10::kStrided || !t.is_contiguous() || t.is_conj() || t.is_neg()
                || t._is_zerotensor() || t.unsafeGetTensorImpl()->is_python_dispatch() || !t.has_storage()
                || !is_supported(t.scalar_type()))
            {
                return false;
            }
            return contiguous_storage_holds(t);
        }

        /// Copies the directly readable CPU tensor src into n elements of type To at d.
        template <class To>
        void copy_direct(const at::Tensor& src, To* d)
        {
            try_visit_dtype(src.scalar_type(),
                            [&](auto from)
                            {
                                using From = typename decltype(from)::type;
                                convert_contiguous(static_cast<const From*>(const_data(src)), d, src.numel());
                            });
        }

        /**
         * Copies src (any dtype, strides, device, layout flags) into dst, a contiguous tensor of the
         * same sizes, casting on the way: one pass. Transposed CPU sources take tiled_copy; everything
         * else is torch's copy_, which also resolves the conjugate and negative bits and crosses devices.
         */
        inline void copy_cast(at::Tensor& dst, const at::Tensor& src)
        {
            const std::int64_t rank = src.dim();
            if (rank >= 2 && src.is_cpu() && dst.is_cpu() && is_supported(src.scalar_type())
                && is_supported(dst.scalar_type()) && !src.is_conj() && !src.is_neg()
                && src.layout() == c10::kStrided && dst.is_contiguous() && !src.is_contiguous())
            {
                std::int64_t p = -1;
                for (std::int64_t d = 0; d < rank; ++d)
                {
                    if (src.size(d) > 1 && src.stride(d) == 1)
                    {
                        p = d;
                    }
                }
                const std::int64_t q = rank - 1;
                if (p >= 0 && p != q && src.size(q) > 1)
                {
                    try_visit_dtype(
                        src.scalar_type(),
                        [&](auto from)
                        {
                            try_visit_dtype(
                                dst.scalar_type(),
                                [&](auto to) {
                                    tiled_copy<typename decltype(from)::type, typename decltype(to)::type>(
                                        src, dst, p, q);
                                });
                        });
                    return;
                }
            }
            dst.copy_(src);
        }

        /// Copies the values of t (any dtype, strides, device, layout) into the new container `out`,
        /// whose shape is t's (its own layout, row- or column-major): one pass, cast included, straight into out's
        /// memory.
        template <class C>
        void copy_into(C& out, const at::Tensor& t, const call_site& call)
        {
            if (out.size() == 0)
            {
                return;
            }
            advise_huge_pages(out.data(), out.size() * sizeof(typename C::value_type));
            if (directly_readable(t) && out.layout() == xt::layout_type::row_major)
            {
                // The common case, without a tensor over out and without torch's dispatch and iterator,
                // which cost more than the copy itself below some thousands of elements.
                copy_direct(t, out.data());
                return;
            }
            at::Tensor source = t.layout() == c10::kStrided ? t.detach() : t.detach().to_dense();
            // copy_cast resolves the conjugate and negative bits, casts, follows strides and copies from
            // a device straight into host memory.
            at::Tensor dst = tensor_over(import_expression(out, call));
            copy_cast(dst, source);
        }

        /**
         * The checks of every to_* call from torch to xtensor, before anything is allocated: a defined
         * tensor, a dtype with a C++ type (quantized ones are refused), and a byte count that fits.
         */
        template <class T>
        void check_copyable(const at::Tensor& t, const call_site& call)
        {
            if (!t.defined())
            {
                const refusal_parts parts = describe_view_refusal(
                    view_refusal::undefined, t, c10::ScalarType::Undefined, -1, audience::cpp);
                refuse(call, parts.problem, parts.found, parts.expected, fix_undefined_tensor);
            }
            if (!is_supported(t.scalar_type()))
            {
                visit_dtype(t.scalar_type(), call, [](auto) {});
            }
            const auto limit =
                static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T);
            if (static_cast<std::uint64_t>(t.numel()) > limit)
            {
                refuse(call, "the copy would not fit in memory",
                       std::to_string(t.numel()) + " elements of " + std::to_string(sizeof(T))
                           + " bytes (sizes " + format_list(t.sizes()) + ")",
                       "at most " + std::to_string(limit) + " elements",
                       "Copy a slice of the tensor instead, e.g. t.slice(0, 0, n).");
            }
        }

        /**
         * A tensor over the memory of the strided expression e that has the same values, negative
         * strides included: those dimensions are read upwards and flipped back by torch (a copy,
         * since torch has no negative strides).
         */
        template <class E>
        at::Tensor borrow_any(const E& e, const call_site& call)
        {
            strided_source s = expression_source(e);
            // Read the reversed dimensions upwards: from their last element, with the stride made positive.
            c10::SmallVector<std::int64_t, 6> flipped;
            for (std::size_t d = 0; d < s.g.strides.size(); ++d)
            {
                if (s.g.strides[d] < 0 && s.g.sizes[d] > 1 && e.size() > 0)
                {
                    flipped.push_back(static_cast<std::int64_t>(d));
                    std::int64_t reach = 0;
                    s.too_large = s.too_large
                                  || __builtin_mul_overflow(s.g.sizes[d] - 1, s.g.strides[d], &reach)
                                  || __builtin_add_overflow(s.offset, reach, &s.offset);
                }
                s.g.strides[d] = s.g.strides[d] < 0 ? -s.g.strides[d] : s.g.strides[d];
            }
            settle_or_refuse(s, /*writable=*/false, call, "expression", expression_fix);
            at::Tensor t = tensor_over(s);
            return flipped.empty() ? t : t.flip(flipped);
        }

        /// An xtensor shape as torch sizes. Filled element by element: GCC 16 warns (-Wmaybe-uninitialized)
        /// inside c10's range constructor.
        template <class S>
        c10::SmallVector<std::int64_t, 6> sizes_of(const S& shape)
        {
            c10::SmallVector<std::int64_t, 6> sizes;
            for (const auto n : shape)
            {
                sizes.push_back(static_cast<std::int64_t>(n));
            }
            return sizes;
        }

        /// Whether the strided expression e is one row-major run of memory (dimensions of size 1, whose
        /// stride xtensor sets to 0, aside).
        template <class E>
        bool is_row_major(const E& e) noexcept
        {
            const auto& shape = e.shape();
            const auto& strides = e.strides();
            std::ptrdiff_t expected = 1;
            for (std::size_t d = shape.size(); d-- > 0;)
            {
                if (shape[d] != 1 && static_cast<std::ptrdiff_t>(strides[d]) != expected)
                {
                    return false;
                }
                expected *= static_cast<std::ptrdiff_t>(shape[d]);
            }
            return true;
        }

        /// Strides for a shape of type S: an array of the same size for a fixed rank (GCC 14 at -Os, nanobind's
        /// default, takes an svector's inline elements for uninitialized there), an svector otherwise.
        template <class S>
        struct row_major_strides
        {
            static xt::svector<std::ptrdiff_t, 8> make(std::size_t rank)
            {
                return xt::svector<std::ptrdiff_t, 8>(rank, 0);
            }
        };

        template <class T, std::size_t N>
        struct row_major_strides<std::array<T, N>>
        {
            static std::array<std::ptrdiff_t, N> make(std::size_t)
            {
                return {};
            }
        };

        /**
         * Whether e can be read in one linear pass in row-major order: every leaf of e holds its elements in
         * row-major memory of e's shape (no broadcasting, no strides), as xtensor itself asks before it assigns
         * linearly. A lazy expression over contiguous views, the kernels' usual result, is one.
         */
        template <class E>
        bool is_linear_row_major(const E& e)
        {
            const auto& shape = e.shape();
            auto strides = row_major_strides<std::decay_t<decltype(shape)>>::make(shape.size());
            xt::compute_strides(shape, xt::layout_type::row_major, strides);
            return e.has_linear_assign(strides);
        }

        /// Evaluates e, cast element by element to the type of dst's dtype, into the contiguous CPU tensor dst.
        template <class E>
        void evaluate_into(const E& e, at::Tensor& dst, const call_site& call)
        {
            using source_type = typename E::value_type;
            const bool linear = is_linear_row_major(e);
            visit_dtype(dst.scalar_type(), call,
                        [&](auto tag)
                        {
                            using target_type = typename decltype(tag)::type;
                            // c10::complex and std::complex share a layout: write the std:: one.
                            auto* data = static_cast<target_type*>(detail::mutable_data(dst));
                            const auto n = static_cast<std::size_t>(dst.numel());
                            if (linear)
                            {
                                // xtensor's own linear assignment without its destination adaptor and its
                                // shape checks: the destination is new memory of e's shape.
                                auto source = xt::linear_begin(e);
                                for (std::size_t i = 0; i < n; ++i, ++source)
                                {
                                    data[i] = convert_value<target_type>(*source);
                                }
                                return;
                            }
                            auto out = xt::adapt(data, n, xt::no_ownership(), e.shape());
                            if constexpr (std::is_same<target_type, source_type>::value)
                            {
                                xt::noalias(out) = e;
                            }
                            else
                            {
                                auto cast = [](const source_type& v)
                                { return convert_value<target_type>(v); };
                                xt::noalias(out) = xt::make_lambda_xfunction(std::move(cast), e);
                            }
                        });
        }
    }
}

#endif
