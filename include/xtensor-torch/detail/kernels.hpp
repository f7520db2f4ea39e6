// The copy kernels: casting contiguous runs (memcpy for the same type) over torch's threads, and a tiled,
// transposing cast for sources whose stride-1 dimension is not the last. No checks and no text: copy.hpp calls
// them once it has checked its tensors.
#ifndef XTENSOR_TORCH_DETAIL_KERNELS_HPP
#define XTENSOR_TORCH_DETAIL_KERNELS_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>

#include <ATen/Parallel.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define XTENSOR_TORCH_SSE2 1
#else
#define XTENSOR_TORCH_SSE2 0
#endif

#include "../dtype.hpp"

namespace xtorch
{
    namespace detail
    {
        /**
         * Elements per task of the direct copies: a copy of fewer stays on the calling thread, a larger
         * one is split over torch's intra-op threads (at::parallel_for). The thread benchmarks
         * (benchmarks/bench_conversions.cpp, sizes around the grain) are what it is chosen by.
         */
        constexpr std::int64_t copy_grain = std::int64_t(1) << 16;

        /**
         * Edge of the square tiles of the transposing copy into words of To: 128 words of up to 4 bytes, 64
         * of wider ones. Each tile's source rows are cast into a buffer whose rows are padded off the
         * power-of-two strides that make every row of a 2^k-wide source fall into the same few cache sets;
         * the buffer is then transposed into the destination (the one-pass kernel in the cache walks the same
         * tiles). Chosen by the benchmarks: 128 against 64 for 1-, 2-, 4- and 8-byte words and
         * float32/float64 both ways, from 2^14 to 2^22 elements, was faster into words of up to 4 bytes and
         * slower into 8-byte ones (32 and 64 were compared before, from 2^12 to 2^20).
         */
        template <class To>
        constexpr std::int64_t copy_tile() noexcept
        {
            return sizeof(To) <= 4 ? 128 : 64;
        }

        /// Edge of the blocks transpose_block moves at once in SSE2 registers: 8 x 8 words of 1 and 2 bytes,
        /// 4 x 4 of 4 bytes and 2 x 2 of 8 bytes; single elements otherwise (16-byte words are one register).
        template <class T>
        constexpr std::int64_t block_edge() noexcept
        {
            return !XTENSOR_TORCH_SSE2   ? 1
                   : sizeof(T) <= 2      ? 8
                   : sizeof(T) == 4      ? 4
                   : sizeof(T) == 8      ? 2
                                         : 1;
        }

        /// out[b][a] = in[a][b] for one block_edge<T>() square block (rows in_stride and out_stride apart).
        template <class T>
        void transpose_block(const T* in, std::int64_t in_stride, T* out, std::int64_t out_stride) noexcept
        {
#if XTENSOR_TORCH_SSE2
            if constexpr (block_edge<T>() == 8 && sizeof(T) == 2)
            {
                // Eight rows of eight 2-byte words, interleaved by pairs, then quads, then halves: each
                // output register is one column.
                __m128i r[8];
                for (int k = 0; k < 8; ++k)
                {
                    r[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + k * in_stride));
                }
                const __m128i t0 = _mm_unpacklo_epi16(r[0], r[1]), t1 = _mm_unpackhi_epi16(r[0], r[1]);
                const __m128i t2 = _mm_unpacklo_epi16(r[2], r[3]), t3 = _mm_unpackhi_epi16(r[2], r[3]);
                const __m128i t4 = _mm_unpacklo_epi16(r[4], r[5]), t5 = _mm_unpackhi_epi16(r[4], r[5]);
                const __m128i t6 = _mm_unpacklo_epi16(r[6], r[7]), t7 = _mm_unpackhi_epi16(r[6], r[7]);
                const __m128i u0 = _mm_unpacklo_epi32(t0, t2), u1 = _mm_unpackhi_epi32(t0, t2);
                const __m128i u2 = _mm_unpacklo_epi32(t1, t3), u3 = _mm_unpackhi_epi32(t1, t3);
                const __m128i u4 = _mm_unpacklo_epi32(t4, t6), u5 = _mm_unpackhi_epi32(t4, t6);
                const __m128i u6 = _mm_unpacklo_epi32(t5, t7), u7 = _mm_unpackhi_epi32(t5, t7);
                const __m128i columns[8] = {_mm_unpacklo_epi64(u0, u4), _mm_unpackhi_epi64(u0, u4),
                                            _mm_unpacklo_epi64(u1, u5), _mm_unpackhi_epi64(u1, u5),
                                            _mm_unpacklo_epi64(u2, u6), _mm_unpackhi_epi64(u2, u6),
                                            _mm_unpacklo_epi64(u3, u7), _mm_unpackhi_epi64(u3, u7)};
                for (int k = 0; k < 8; ++k)
                {
                    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k * out_stride), columns[k]);
                }
                return;
            }
            else if constexpr (block_edge<T>() == 8)
            {
                // Eight rows of eight bytes in the low halves, interleaved by bytes, pairs and quads: each
                // output register holds two columns.
                __m128i r[8];
                for (int k = 0; k < 8; ++k)
                {
                    r[k] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + k * in_stride));
                }
                const __m128i t0 = _mm_unpacklo_epi8(r[0], r[1]), t1 = _mm_unpacklo_epi8(r[2], r[3]);
                const __m128i t2 = _mm_unpacklo_epi8(r[4], r[5]), t3 = _mm_unpacklo_epi8(r[6], r[7]);
                const __m128i u0 = _mm_unpacklo_epi16(t0, t1), u1 = _mm_unpackhi_epi16(t0, t1);
                const __m128i u2 = _mm_unpacklo_epi16(t2, t3), u3 = _mm_unpackhi_epi16(t2, t3);
                const __m128i pairs[4] = {_mm_unpacklo_epi32(u0, u2), _mm_unpackhi_epi32(u0, u2),
                                          _mm_unpacklo_epi32(u1, u3), _mm_unpackhi_epi32(u1, u3)};
                for (int k = 0; k < 4; ++k)
                {
                    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + 2 * k * out_stride), pairs[k]);
                    _mm_storel_epi64(reinterpret_cast<__m128i*>(out + (2 * k + 1) * out_stride),
                                     _mm_unpackhi_epi64(pairs[k], pairs[k]));
                }
                return;
            }
            else if constexpr (block_edge<T>() == 4)
            {
                const float* i = reinterpret_cast<const float*>(in);
                __m128 r0 = _mm_loadu_ps(i), r1 = _mm_loadu_ps(i + in_stride);
                __m128 r2 = _mm_loadu_ps(i + 2 * in_stride), r3 = _mm_loadu_ps(i + 3 * in_stride);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                float* o = reinterpret_cast<float*>(out);
                _mm_storeu_ps(o, r0);
                _mm_storeu_ps(o + out_stride, r1);
                _mm_storeu_ps(o + 2 * out_stride, r2);
                _mm_storeu_ps(o + 3 * out_stride, r3);
                return;
            }
            else if constexpr (block_edge<T>() == 2)
            {
                const double* i = reinterpret_cast<const double*>(in);
                const __m128d r0 = _mm_loadu_pd(i), r1 = _mm_loadu_pd(i + in_stride);
                double* o = reinterpret_cast<double*>(out);
                _mm_storeu_pd(o, _mm_unpacklo_pd(r0, r1));
                _mm_storeu_pd(o + out_stride, _mm_unpackhi_pd(r0, r1));
                return;
            }
#endif
            *out = *in;
        }

        /// Transposes the rows x cols block of words at in (rows in_stride apart) into out (rows out_stride
        /// apart): out[b][a] = in[a][b], in transpose_block's blocks and element by element at the edges.
        template <class T>
        void transpose_words(const T* in, std::int64_t in_stride, T* out, std::int64_t out_stride,
                             std::int64_t rows, std::int64_t cols) noexcept
        {
            constexpr std::int64_t edge = block_edge<T>();
            const std::int64_t done_rows = rows - rows % edge, done_cols = cols - cols % edge;
            for (std::int64_t b = 0; b < done_cols; b += edge)
            {
                for (std::int64_t a = 0; a < done_rows; a += edge)
                {
                    transpose_block(in + a * in_stride + b, in_stride, out + b * out_stride + a, out_stride);
                }
            }
            // What the blocks left: the last columns of every row, then the last rows of the others.
            for (std::int64_t b = 0; b < cols; ++b)
            {
                for (std::int64_t a = b < done_cols ? done_rows : 0; a < rows; ++a)
                {
                    out[b * out_stride + a] = in[a * in_stride + b];
                }
            }
        }

        /// The size_p x size_q tile at s (p contiguous, q rows src_q apart) into d (q contiguous, p rows
        /// dst_p apart), cast: d[i * dst_p + j] = s[i + j * src_q].
        template <class From, class To>
        void transpose_tile(const From* s, To* d, std::int64_t size_p, std::int64_t size_q,
                            std::int64_t src_q, std::int64_t dst_p) noexcept
        {
            constexpr std::int64_t pad = sizeof(To) >= 16 ? 1 : static_cast<std::int64_t>(16 / sizeof(To));
            constexpr std::int64_t tile = copy_tile<To>(), width = tile + pad;
            // Raw storage, each element constructed as it is cast: To's default constructor would run for
            // the whole buffer on every tile (std::complex's zeroes it).
            static_assert(std::is_trivially_copyable<To>::value && std::is_trivially_destructible<To>::value,
                          "transpose_tile: the buffer is copied word by word");
            alignas(To) unsigned char storage[tile * width * sizeof(To)];
            To* const buffer = reinterpret_cast<To*>(storage);
            for (std::int64_t j = 0; j < size_q; ++j)
            {
                // Along the source rows: contiguous reads, and a cast the compiler vectorizes.
                const From* in = s + j * src_q;
                To* row = buffer + j * width;
#if XTENSOR_TORCH_SSE2
                if (j + 4 < size_q)  // the row four ahead into cache, for sources past the cache
                {
                    const char* ahead = reinterpret_cast<const char*>(in + 4 * src_q);
                    for (std::int64_t byte = 0; byte < size_p * static_cast<std::int64_t>(sizeof(From));
                         byte += 64)
                    {
                        _mm_prefetch(ahead + byte, _MM_HINT_T0);
                    }
                }
#endif
                for (std::int64_t i = 0; i < size_p; ++i)
                {
                    ::new (static_cast<void*>(row + i)) To(convert_value<To>(in[i]));
                }
            }
            if constexpr (block_edge<To>() == 8 && sizeof(To) == 2)
            {
                // The 8 x 8 blocks of 2-byte words write 16 bytes into each of eight destination rows at once;
                // rows of a power-of-two size apart share cache sets and evict each other before they are
                // complete (2^22 elements: slower than element by element). Transposed within a second buffer
                // instead, and written out a whole row at a time. The 1-byte blocks write half as much per
                // row, and measured faster straight into the destination.
                alignas(To) unsigned char staged_storage[tile * width * sizeof(To)];
                To* const staged = reinterpret_cast<To*>(staged_storage);
                transpose_words(static_cast<const To*>(buffer), width, staged, width, size_q, size_p);
                for (std::int64_t i = 0; i < size_p; ++i)
                {
                    std::memcpy(static_cast<void*>(d + i * dst_p), static_cast<const void*>(staged + i * width),
                                static_cast<std::size_t>(size_q) * sizeof(To));
                }
                return;
            }
            transpose_words(static_cast<const To*>(buffer), width, d, dst_p, size_q, size_p);
        }

        /// Whether transpose_tile_direct has a kernel for From -> To: float32 and float64, either way.
        template <class From, class To>
        constexpr bool casts_in_registers() noexcept
        {
            return XTENSOR_TORCH_SSE2
                   && (std::is_same<From, float>::value || std::is_same<From, double>::value)
                   && (std::is_same<To, float>::value || std::is_same<To, double>::value);
        }

        /**
         * Sources of at most this many bytes are transposed in one pass (transpose_tile_direct), read and cast
         * in registers: in the cache that is the faster kernel. Past it, up to stream_bytes of output, the two
         * passes of transpose_tile are: their first reads each tile row's piece whole, which reads faster from
         * memory than many rows at once. Chosen by the benchmarks (2^16 to 2^22 elements, both kernels).
         */
        constexpr std::int64_t direct_bytes = std::int64_t(1) << 19;

        /**
         * Outputs of at least this many bytes are written by the one-pass kernel with non-temporal stores: each
         * destination line is written whole at once, straight to memory, so that it is neither read first nor
         * kept in a cache it would only evict. Smaller outputs stay in the cache for their reader. Chosen by the
         * benchmarks (outputs of 1, 4, 8 and 16 MiB compared).
         */
        constexpr std::int64_t stream_bytes = std::int64_t(1) << 23;

        /**
         * The tiles of a streamed copy: 1024 words along each source row by 32 rows. Past the cache the reads
         * of many short pieces of rows dominate, and longer pieces of fewer rows read faster. Chosen by the
         * benchmarks: float64 to float32 both ways at 2^22 and 2^25 elements, with tiles that start on the
         * destination's lines (line_lead), 1024 x 32 against 256 x 32, 512 x 32, 1024 x 64, 2048 x 16,
         * 2048 x 32, 4096 x 16 and 4096 x 32 (before line_lead, 64 x 64 to 512 x 16 at 2^20 and 2^22).
         */
        constexpr std::int64_t stream_tile_p = 1024, stream_tile_q = 32;

        /**
         * The one-pass kernel walks its tile in blocks of one 64-byte cache line of source words along p by one
         * line of destination words along q, each block in 4 x 4 register transposes: every line a block reads
         * or writes is used whole while it is in the cache. Chosen by the benchmarks (blocks of 16 x 16 words
         * measured slower, and blocks 4 words wide several times slower).
         */
        template <class T>
        constexpr std::int64_t line_words() noexcept
        {
            return static_cast<std::int64_t>(64 / sizeof(T));
        }

#if XTENSOR_TORCH_SSE2
        /// One register of words to out: a non-temporal store with Stream (out 16-byte aligned), else an ordinary one.
        template <bool Stream>
        inline void store_words(float* out, __m128 v) noexcept
        {
            Stream ? _mm_stream_ps(out, v) : _mm_storeu_ps(out, v);
        }

        template <bool Stream>
        inline void store_words(double* out, __m128d v) noexcept
        {
            Stream ? _mm_stream_pd(out, v) : _mm_storeu_pd(out, v);
        }

        /// Four source words at in, cast, as two registers of two doubles.
        inline void load_doubles(const float* in, __m128d& low, __m128d& high) noexcept
        {
            const __m128 v = _mm_loadu_ps(in);
            low = _mm_cvtps_pd(v);
            high = _mm_cvtps_pd(_mm_movehl_ps(v, v));
        }

        inline void load_doubles(const double* in, __m128d& low, __m128d& high) noexcept
        {
            low = _mm_loadu_pd(in);
            high = _mm_loadu_pd(in + 2);
        }

        /**
         * out[b][a] = To(in[a][b]) for a 4 x 4 block: four source rows (in_stride apart) of four words are read,
         * cast and transposed in registers, and written as four destination rows (out_stride apart). Always
         * inlined: a call per block (GCC makes one where a kernel has several call sites) measured a quarter slower.
         */
        template <bool Stream, class From, class To>
        [[gnu::always_inline]] inline void cast_transpose_block(const From* in, std::int64_t in_stride, To* out,
                                                                std::int64_t out_stride) noexcept
        {
            if constexpr (std::is_same<From, double>::value && std::is_same<To, float>::value)
            {
                // Each conversion leaves two floats in a register's low half; the transpose's first
                // interleave takes the low halves, so the halves need not be joined first.
                __m128 low[4], high[4];
                for (int k = 0; k < 4; ++k)
                {
                    low[k] = _mm_cvtpd_ps(_mm_loadu_pd(in + k * in_stride));
                    high[k] = _mm_cvtpd_ps(_mm_loadu_pd(in + k * in_stride + 2));
                }
                const __m128 a = _mm_unpacklo_ps(low[0], low[1]), b = _mm_unpacklo_ps(low[2], low[3]);
                const __m128 c = _mm_unpacklo_ps(high[0], high[1]), e = _mm_unpacklo_ps(high[2], high[3]);
                store_words<Stream>(out, _mm_movelh_ps(a, b));
                store_words<Stream>(out + out_stride, _mm_movehl_ps(b, a));
                store_words<Stream>(out + 2 * out_stride, _mm_movelh_ps(c, e));
                store_words<Stream>(out + 3 * out_stride, _mm_movehl_ps(e, c));
            }
            else if constexpr (std::is_same<To, float>::value)
            {
                // float32 to float32 (float64 to float32 is the branch above).
                __m128 r0 = _mm_loadu_ps(in), r1 = _mm_loadu_ps(in + in_stride);
                __m128 r2 = _mm_loadu_ps(in + 2 * in_stride), r3 = _mm_loadu_ps(in + 3 * in_stride);
                _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                store_words<Stream>(out, r0);
                store_words<Stream>(out + out_stride, r1);
                store_words<Stream>(out + 2 * out_stride, r2);
                store_words<Stream>(out + 3 * out_stride, r3);
            }
            else
            {
                // Rows as pairs of doubles: destination row c is (r0[c], r1[c]) then (r2[c], r3[c]).
                __m128d low[4], high[4];
                for (int k = 0; k < 4; ++k)
                {
                    load_doubles(in + k * in_stride, low[k], high[k]);
                }
                for (int half = 0; half < 2; ++half)
                {
                    const __m128d* r = half == 0 ? low : high;
                    double* o = out + 2 * half * out_stride;
                    store_words<Stream>(o, _mm_unpacklo_pd(r[0], r[1]));
                    store_words<Stream>(o + 2, _mm_unpacklo_pd(r[2], r[3]));
                    store_words<Stream>(o + out_stride, _mm_unpackhi_pd(r[0], r[1]));
                    store_words<Stream>(o + out_stride + 2, _mm_unpackhi_pd(r[2], r[3]));
                }
            }
        }

        /**
         * The 4 x 4 register transposes of source words [p0, p1) along p by [q0, q1) along q (multiples of 4 apart).
         * With Stream, four destination rows at a time, whole across the range: their lines are complete before the
         * next rows are begun (a non-temporal store holds a line in one of the processor's few write-combining
         * buffers until the line is whole; with more lines open than buffers, the lines go to memory in pieces,
         * several times slower). Otherwise four source rows at a time (measured faster in the cache). Always
         * inlined, so that a whole line block's constant bounds unroll it: the same loops with bounds computed at
         * run time measured slower in the cache.
         */
        template <bool Stream, class From, class To>
        [[gnu::always_inline]] inline void transpose_blocks(const From* s, std::int64_t src_q, To* d,
                                                            std::int64_t dst_p, std::int64_t p0,
                                                            std::int64_t p1, std::int64_t q0,
                                                            std::int64_t q1) noexcept
        {
            const auto block = [&](std::int64_t i, std::int64_t j)
            { cast_transpose_block<Stream>(s + i + j * src_q, src_q, d + i * dst_p + j, dst_p); };
            if constexpr (Stream)
            {
                for (std::int64_t i = p0; i < p1; i += 4)
                {
                    for (std::int64_t j = q0; j < q1; j += 4)
                    {
                        block(i, j);
                    }
                }
            }
            else
            {
                for (std::int64_t j = q0; j < q1; j += 4)
                {
                    for (std::int64_t i = p0; i < p1; i += 4)
                    {
                        block(i, j);
                    }
                }
            }
        }

        /**
         * transpose_tile in one pass, for casts_in_registers<From, To>(): whole blocks of line_words<From>() x
         * line_words<To>() words, then 4 x 4 register transposes where less than a block is left, then element by
         * element at the edges. With Stream, d and dst_p must keep every 4-word group 16-byte aligned.
         */
        template <bool Stream, class From, class To>
        void transpose_tile_direct(const From* s, To* d, std::int64_t size_p, std::int64_t size_q,
                                   std::int64_t src_q, std::int64_t dst_p) noexcept
        {
            constexpr std::int64_t block_p = line_words<From>(), block_q = line_words<To>();
            const std::int64_t whole_p = size_p - size_p % block_p, whole_q = size_q - size_q % block_q;
            const std::int64_t done_p = size_p - size_p % 4, done_q = size_q - size_q % 4;
            for (std::int64_t jb = 0; jb < whole_q; jb += block_q)
            {
                for (std::int64_t ib = 0; ib < whole_p; ib += block_p)
                {
                    transpose_blocks<Stream>(s + ib + jb * src_q, src_q, d + ib * dst_p + jb, dst_p, 0,
                                             block_p, 0, block_q);
                }
            }
            // Less than a block left: past the whole blocks along q, then along p.
            transpose_blocks<Stream>(s, src_q, d, dst_p, 0, whole_p, whole_q, done_q);
            transpose_blocks<Stream>(s, src_q, d, dst_p, whole_p, done_p, 0, done_q);
            for (std::int64_t i = 0; i < size_p; ++i)  // the edges: the last columns, then the last rows
            {
                for (std::int64_t j = i < done_p ? done_q : 0; j < size_q; ++j)
                {
                    d[i * dst_p + j] = convert_value<To>(s[i + j * src_q]);
                }
            }
        }
#endif

        /// Whether every stride of dst but q's is a whole number of `bytes`: then all rows along q start at
        /// the same place in a block of that many bytes.
        inline bool rows_aligned_alike(const at::Tensor& dst, std::int64_t q, std::int64_t bytes)
        {
            const auto word = static_cast<std::int64_t>(dst.element_size());
            for (std::int64_t dim = 0; dim < dst.dim(); ++dim)
            {
                if (dim != q && dst.stride(dim) * word % bytes != 0)
                {
                    return false;
                }
            }
            return true;
        }

        /**
         * The words of a streamed output's rows before their first 64-byte cache line boundary, where every
         * row of dst (at d, 16 bytes aligned; its dimension q contiguous) starts at the same place in a line:
         * the first tile along q ends there, so that every other tile writes whole lines. 0 where the rows
         * start on a boundary or at different places in their lines. An xt::xarray's memory comes from
         * malloc, aligned to 16 bytes only (glibc's large blocks start 16 bytes into a line): tiles from its
         * start split every line in two, and a non-temporal store of part of a line goes to memory as a
         * partial write (found by the benchmark's to_xarray of a transposed tensor, at 2^22 and 2^25
         * elements).
         */
        template <class To>
        std::int64_t line_lead(const To* d, const at::Tensor& dst, std::int64_t q)
        {
            constexpr std::int64_t line = 64;
            const auto into = static_cast<std::int64_t>(reinterpret_cast<std::uintptr_t>(d) % line);
            if (into == 0 || !rows_aligned_alike(dst, q, line))
            {
                return 0;
            }
            return std::min((line - into) / static_cast<std::int64_t>(sizeof(To)), dst.size(q));
        }

        /**
         * dst[...] = src[...] for a contiguous dst and a src whose stride-1 dimension p is not the
         * last one, q: each tile of the (p, q) plane (copy_tile<To>() square; stream_tile_p x stream_tile_q
         * when streamed) is read along p and written along q while both stay in cache, in one pass
         * (transpose_tile_direct) or two (transpose_tile) by direct_bytes and stream_bytes. Torch's own
         * copy walks such a source with a large stride for every element, missing the cache on each.
         */
        template <class From, class To>
        void tiled_copy(const at::Tensor& src, at::Tensor& dst, std::int64_t p, std::int64_t q)
        {
            const std::int64_t rank = src.dim();
            const From* s = static_cast<const From*>(const_data(src));
            To* d = static_cast<To*>(mutable_data(dst));
            const std::int64_t size_p = src.size(p), size_q = src.size(q);
            const std::int64_t src_q = src.stride(q), dst_p = dst.stride(p);
            const std::int64_t outer = src.numel() / (size_p * size_q);
            // One pass for sources in the cache and for large outputs, which it writes with non-temporal stores
            // where every 4-word group starts 16 bytes aligned.
            const std::int64_t src_bytes = src.numel() * static_cast<std::int64_t>(sizeof(From));
            const bool stream = casts_in_registers<From, To>()
                                && dst.numel() * static_cast<std::int64_t>(sizeof(To)) >= stream_bytes
                                && reinterpret_cast<std::uintptr_t>(d) % 16 == 0
                                && rows_aligned_alike(dst, q, 16);
            [[maybe_unused]] const bool direct = casts_in_registers<From, To>() && (stream || src_bytes <= direct_bytes);
            const std::int64_t edge_p = stream ? stream_tile_p : copy_tile<To>();
            const std::int64_t edge_q = stream ? stream_tile_q : copy_tile<To>();
            const std::int64_t tiles_p = (size_p + edge_p - 1) / edge_p;
            // Along q, a streamed output's tiles start on cache lines: the grid of tiles is laid `shift`
            // words before the rows' start, so that the first tile ends at the first line boundary
            // (line_lead).
            static_assert(stream_tile_q * sizeof(float) % 64 == 0,
                          "streamed tiles are whole lines of floats");
            const std::int64_t lead = stream ? line_lead(d, dst, q) : 0;
            const std::int64_t shift = lead > 0 ? edge_q - lead : 0;
            const std::int64_t tiles_q = (size_q + shift + edge_q - 1) / edge_q;
            at::parallel_for(
                0, outer * tiles_p * tiles_q, copy_grain / (edge_p * edge_q),
                [&](std::int64_t begin, std::int64_t end)
                {
                    for (std::int64_t unit = begin; unit < end; ++unit)
                    {
                        const std::int64_t tq = unit % tiles_q;
                        const std::int64_t tp = (unit / tiles_q) % tiles_p;
                        std::int64_t o = unit / (tiles_q * tiles_p);
                        std::int64_t s_off = 0, d_off = 0;
                        for (std::int64_t dim = rank - 1; dim >= 0; --dim)  // the other dimensions, row-major
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
                        const std::int64_t i = tp * edge_p;
                        const std::int64_t j = std::max<std::int64_t>(0, tq * edge_q - shift);
                        const From* tile_s = s + s_off + i + j * src_q;
                        To* tile_d = d + d_off + i * dst_p + j;
                        const std::int64_t tile_p = std::min(edge_p, size_p - i);
                        const std::int64_t tile_q = std::min(size_q, (tq + 1) * edge_q - shift) - j;
#if XTENSOR_TORCH_SSE2
                        if constexpr (casts_in_registers<From, To>())
                        {
                            if (direct)
                            {
                                if (stream)
                                {
                                    transpose_tile_direct<true>(tile_s, tile_d, tile_p, tile_q, src_q, dst_p);
                                }
                                else
                                {
                                    transpose_tile_direct<false>(tile_s, tile_d, tile_p, tile_q, src_q, dst_p);
                                }
                                continue;
                            }
                        }
#endif
                        transpose_tile<From, To>(tile_s, tile_d, tile_p, tile_q, src_q, dst_p);
                    }
#if XTENSOR_TORCH_SSE2
                    if (stream)
                    {
                        _mm_sfence();  // the non-temporal stores reach memory before the task ends
                    }
#endif
                });
        }

        /// d[i] = s[i], cast as torch casts, for n contiguous elements: memcpy for the same type, else
        /// a loop the compiler vectorizes.
        template <class From, class To>
        void convert_range(const From* s, To* d, std::int64_t n) noexcept
        {
            if constexpr (std::is_same<From, To>::value)
            {
                if (n > 0)  // an empty tensor's data is null, which memcpy may not be given even for 0 bytes
                {
                    std::memcpy(d, s, static_cast<std::size_t>(n) * sizeof(To));
                }
            }
            else
            {
                for (std::int64_t i = 0; i < n; ++i)
                {
                    d[i] = convert_value<To>(s[i]);
                }
            }
        }

        /// convert_range over torch's intra-op threads, in tasks of copy_grain elements or more.
        template <class From, class To>
        void convert_contiguous(const From* s, To* d, std::int64_t n)
        {
            if (n <= copy_grain)
            {
                convert_range(s, d, n);  // without at::parallel_for's own costs, which dominate small copies
                return;
            }
            at::parallel_for(0, n, copy_grain,
                             [&](std::int64_t begin, std::int64_t end)
                             { convert_range(s + begin, d + begin, end - begin); });
        }
    }
}

#endif
