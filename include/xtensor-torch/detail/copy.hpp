// The copies behind to_tensor, to_xarray and the container caster: the checks before allocating, torch's copy_,
// and a tiled cast-copy for transposed sources.
#ifndef XTENSOR_TORCH_DETAIL_COPY_HPP
#define XTENSOR_TORCH_DETAIL_COPY_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include <ATen/Parallel.h>

#include "../dtype.hpp"
#include "../errors.hpp"
#include "geometry.hpp"
#include "memory.hpp"

namespace xtorch
{
    namespace detail
    {
        /// Edge of the square tiles of the transposing copy: 32 x 32 x 16 bytes fits in L1 on both sides.
        constexpr std::int64_t copy_tile = 32;

        /**
         * dst[...] = src[...] for a contiguous dst and a src whose stride-1 dimension p is not the
         * last one, q: each 32 x 32 tile of the (p, q) plane is read along p and written along q
         * while both stay in cache. Torch's own copy walks such a source with a large stride for
         * every element, missing the cache on each (docs/performance.md has the measurements).
         */
        template <class From, class To>
        void tiled_copy(const at::Tensor& src, at::Tensor& dst, std::int64_t p, std::int64_t q)
        {
            const std::int64_t rank = src.dim();
            const From* s = static_cast<const From*>(const_data(src));
            To* d = static_cast<To*>(mutable_data(dst));
            const std::int64_t size_p = src.size(p), size_q = src.size(q);
            const std::int64_t src_q = src.stride(q), dst_p = dst.stride(p);
            const std::int64_t tiles_p = (size_p + copy_tile - 1) / copy_tile;
            const std::int64_t tiles_q = (size_q + copy_tile - 1) / copy_tile;
            const std::int64_t outer = src.numel() / (size_p * size_q);
            at::parallel_for(0, outer * tiles_p * tiles_q, 16,
                             [&](std::int64_t begin, std::int64_t end)
                             {
                                 for (std::int64_t unit = begin; unit < end; ++unit)
                                 {
                                     const std::int64_t tq = unit % tiles_q;
                                     const std::int64_t tp = (unit / tiles_q) % tiles_p;
                                     std::int64_t o = unit / (tiles_q * tiles_p);
                                     std::int64_t s_off = 0, d_off = 0;
                                     for (std::int64_t dim = rank - 1; dim >= 0;
                                          --dim)  // the other dimensions, row-major
                                     {
                                         if (dim == p || dim == q)
                                         {
                                             continue;
                                         }
                                         const std::int64_t i = o % src.size(dim);
                                         o /= src.size(dim);
                                         s_off += i * src.stride(dim);
                                         d_off += i * dst.stride(dim);
                                     }
                                     const std::int64_t p_end = std::min(size_p, (tp + 1) * copy_tile);
                                     const std::int64_t q_end = std::min(size_q, (tq + 1) * copy_tile);
                                     for (std::int64_t i = tp * copy_tile; i < p_end; ++i)
                                     {
                                         const From* in = s + s_off + i;
                                         To* out = d + d_off + i * dst_p;
                                         for (std::int64_t j = tq * copy_tile; j < q_end; ++j)
                                         {
                                             out[j] = convert_value<To>(in[j * src_q]);
                                         }
                                     }
                                 }
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
                    visit_dtype(
                        src.scalar_type(), "xtorch copy",
                        [&](auto from)
                        {
                            visit_dtype(
                                dst.scalar_type(), "xtorch copy",
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
        /// whose shape is t's: one pass, cast included, straight into out's memory.
        template <class C>
        void copy_into(C& out, const at::Tensor& t, const char* call)
        {
            if (out.size() == 0)
            {
                return;
            }
            at::Tensor source = t.layout() == c10::kStrided ? t.detach() : t.detach().to_dense();
            advise_huge_pages(out.data(), out.size() * sizeof(typename C::value_type));
            // copy_cast resolves the conjugate and negative bits, casts, follows strides and copies from
            // a device straight into host memory.
            at::Tensor dst = borrow(out, read_geometry(out, call));
            copy_cast(dst, source);
        }

        /**
         * The checks of every to_* call from torch to xtensor, before anything is allocated: a defined
         * tensor, a dtype with a C++ type (quantized ones are refused), and a byte count that fits.
         */
        template <class T>
        void check_copyable(const at::Tensor& t, const std::string& call)
        {
            if (!t.defined())
            {
                refuse(call, "the tensor is undefined",
                       "an undefined tensor (a default-constructed at::Tensor)", "a defined tensor",
                       "Pass a tensor made by a factory such as at::empty or torch::zeros.");
            }
            visit_dtype(t.scalar_type(), call, [](auto) {});
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
    }
}

#endif
