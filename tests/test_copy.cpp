// Tests of detail/copy.hpp and detail/kernels.hpp: the tiled, transposing cast and the direct copies, at sizes
// computed from the kernels' own constants (the tile, the SIMD block edges, the parallel grain).
#include "test_common.hpp"

using namespace xtorch_test;

namespace
{
    // The widest tile, that of words of up to 4 bytes; wider words' tiles are half as wide, so sizes made
    // from it hold whole tiles of every word size, and their remainders are the same for every block edge.
    constexpr std::int64_t tile = xtorch::detail::copy_tile<std::uint8_t>();
    static_assert(tile == 2 * xtorch::detail::copy_tile<double>(),
                  "the tests' sizes assume 8-byte tiles half as wide");
    constexpr std::int64_t edge4 = xtorch::detail::block_edge<float>();   // 4-byte words
    constexpr std::int64_t edge8 = xtorch::detail::block_edge<double>();  // 8-byte words
    constexpr std::int64_t edge1 = xtorch::detail::block_edge<std::uint8_t>();  // 1-byte words
    constexpr std::int64_t edge2 = xtorch::detail::block_edge<c10::Half>();     // 2-byte words
    // The every-dtype-pair plane: one whole tile per row of tiles and remainders of edge4 - 1 and edge8.
    constexpr std::int64_t pair_rows = tile + edge4 - 1;
    constexpr std::int64_t pair_cols = tile + edge8;

    /// Whether n elements along a tile's side end in a part block of `edge` (edge 1: there are no blocks).
    constexpr bool leaves_edge(std::int64_t n, std::int64_t edge)
    {
        return edge == 1 || n % tile % edge != 0;
    }
}

TEST_CASE("the tiled copy of transposed sources: odd sizes, tile remainders, outer dimensions",
          "[to_tensor][to_xarray][strides]")
{
    // Sizes made from the kernel's own tile and block edges: two whole tiles and a remainder that is a whole
    // number of neither the 4-byte blocks nor the 8-byte ones, then one whole tile and a remainder that is no
    // whole number of 4-byte blocks; the leading 3 is a dimension outside the tile plane.
    constexpr std::int64_t rows = 2 * tile + edge4 - 1;
    constexpr std::int64_t cols = tile + edge4 + edge8;
    REQUIRE(leaves_edge(rows, edge4));
    REQUIRE(leaves_edge(rows, edge8));
    REQUIRE(leaves_edge(cols, edge4));
    REQUIRE(leaves_edge(rows, edge2));  // the 2-byte blocks of the kHalf copy below, and their edges
    REQUIRE(leaves_edge(cols, edge2));
    at::Tensor base = at::arange(3 * rows * cols, at::kDouble).reshape({3, rows, cols});
    for (const at::Tensor& t : {base.permute({0, 2, 1}), base.permute({2, 1, 0}), base.select(0, 2).t()})
    {
        INFO("sizes " << t.sizes() << " strides " << t.strides());
        xt::xarray<float> a = xtorch::to_xarray<float>(t);
        REQUIRE(same_elements(a, t.to(at::kFloat)));
        xt::xarray<std::int32_t> b = xtorch::to_xarray<std::int32_t>(t);
        REQUIRE(same_elements(b, t.to(at::kInt)));
    }
    xt::xarray<double> x = xtorch::to_xarray<double>(base);
    REQUIRE(xtorch::to_tensor(xt::transpose(x, {0, 2, 1}), at::kFloat)
                .equal(base.permute({0, 2, 1}).to(at::kFloat)));
    REQUIRE(xtorch::to_tensor(xt::transpose(x), at::kHalf).equal(base.permute({2, 1, 0}).to(at::kHalf)));
}

TEST_CASE("the tiled copy: every dtype pair, through whole blocks and their remainders",
          "[to_tensor][to_xarray][strides][dtype]")
{
    // pair_rows x pair_cols: words of every size take the block transposes and the element-by-element edges
    // (both ways for the blocks of 4 words and more; the 2 x 2 blocks of 8-byte words have an edge in rows).
    REQUIRE(leaves_edge(pair_rows, edge8));
    for (const std::int64_t edge : {edge1, edge2, edge4})
    {
        REQUIRE(leaves_edge(pair_rows, edge));
        REQUIRE(leaves_edge(pair_cols, edge));
    }
    for_each_type(
        all_types{},
        [](auto from_tag)
        {
            using From = typename decltype(from_tag)::type;
            const xt::xarray<From> src =
                samples<From>({static_cast<std::size_t>(pair_rows), static_cast<std::size_t>(pair_cols)});
            const at::Tensor src_t = xtorch::to_tensor(src);
            for_each_type(all_types{},
                          [&](auto to_tag)
                          {
                              using To = typename decltype(to_tag)::type;
                              constexpr auto to = xtorch::scalar_type_of<To>();
                              INFO("from " << xtorch::type_name<From>() << " to " << xtorch::type_name<To>());
                              const at::Tensor expected = src_t.t().to(to);
                              REQUIRE(xtorch::to_tensor(xt::transpose(src), to).equal(expected));
                              REQUIRE(same_elements(xtorch::to_xarray<To>(src_t.t()), expected));
                          });
        });
}

TEST_CASE("the direct copies: sizes around the parallel grain, several threads, offsets, every cast rule",
          "[to_xarray][to_tensor][threads]")
{
    // Contiguous CPU sources skip torch's copy_: a loop over torch's intra-op threads in tasks of
    // copy_grain elements. Sizes just below, at and above a task edge, run on four threads (split where
    // this program is built with OpenMP, as tests/CMakeLists.txt does when it finds it).
    {
        const scoped_threads threads(4);
        const std::int64_t grain = xtorch::detail::copy_grain;
        for (const std::int64_t n : {std::int64_t(7), grain - 1, grain, grain + 1, 3 * grain + 5})
        {
            INFO("n = " << n);
            // An offset into the storage, so that the first element is not the allocation's.
            const at::Tensor t = (at::arange(n + 1, at::kDouble) * 0.5 - 3.75).slice(0, 1);
            REQUIRE(t.storage_offset() == 1);
            REQUIRE(same_elements(xtorch::to_xarray<float>(t), t.to(at::kFloat)));
            REQUIRE(same_elements(xtorch::to_xarray<double>(t), t));
            REQUIRE(same_elements(xtorch::to_xarray<std::int32_t>(t), t.to(at::kInt)));
            REQUIRE(same_elements(xtorch::to_xtensor<std::uint8_t, 1>(t), t.to(at::kByte)));
            xt::xarray<double> a = xtorch::to_xarray<double>(t);
            auto tail = xt::view(a, xt::range(1, n));  // row-major memory at an offset
            REQUIRE(xtorch::to_tensor(a, at::kFloat).equal(t.to(at::kFloat)));
            REQUIRE(xtorch::to_tensor(a).equal(t));
            REQUIRE(xtorch::to_tensor(tail, at::kHalf).equal(t.slice(0, 1).to(at::kHalf)));
        }
    }
    SECTION("casts that are not value-preserving follow torch: fractions, negatives to unsigned, to bool")
    {
        const at::Tensor t = at::tensor({-3.7, -0.5, 0.0, 0.5, 2.9, 100.25}, at::kDouble);
        REQUIRE(same_elements(xtorch::to_xarray<std::uint8_t>(t), t.to(at::kByte)));
        REQUIRE(same_elements(xtorch::to_xarray<std::int8_t>(t), t.to(at::kChar)));
        REQUIRE(same_elements(xtorch::to_xarray<bool>(t), t.to(at::kBool)));
        REQUIRE(same_elements(xtorch::to_xarray<c10::Half>(t), t.to(at::kHalf)));
        const at::Tensor z = at::complex(t, -t);
        REQUIRE(same_elements(xtorch::to_xarray<double>(z), at::real(z)));
        const xt::xarray<double> a = xtorch::to_xarray<double>(t);
        REQUIRE(xtorch::to_tensor(a, at::kByte).equal(t.to(at::kByte)));
        REQUIRE(xtorch::to_tensor(a, at::kBool).equal(t.to(at::kBool)));
    }
    SECTION("tensors that are not read directly still copy: a shrunk storage is not read past its end")
    {
        const at::Tensor t = at::arange(16, at::kFloat);
        REQUIRE(xtorch::detail::directly_readable(t));
        REQUIRE(!xtorch::detail::directly_readable(t.t().reshape({4, 4}).t()));
        REQUIRE(!xtorch::detail::directly_readable(at::complex(t, t).conj()));
        at::Tensor shrunk = at::arange(16, at::kFloat);
        shrunk.storage().set_nbytes(8);
        REQUIRE(!xtorch::detail::directly_readable(shrunk));
    }
}

TEST_CASE("the one-pass transposing copy of float32 and float64: register blocks, edges, streamed outputs",
          "[to_tensor][to_xarray][strides][dtype]")
{
    namespace d = xtorch::detail;
    constexpr std::int64_t block = d::line_words<float>();  // the largest block edge (16); 8 for doubles
    using floats = type_list<float, double>;
    // In the cache: a whole tile, then in the part tile a whole line block, a part block of whole 4 x 4
    // transposes and single elements, along both dimensions and for both word sizes (blocks of 8 or 16 words).
    constexpr std::int64_t rows = tile + block + 4 + 3, cols = tile + block + 4 + 2;
    REQUIRE(rows * cols * std::int64_t(sizeof(double)) <= d::direct_bytes);
    // Streamed: a part tile along both dimensions (in it, as above, a line block, a part block and single
    // elements), an output of at least stream_bytes for both types.
    constexpr std::int64_t big_p = 4 * d::stream_tile_p + block + 4 + 3;
    constexpr std::int64_t least_q = d::stream_bytes / std::int64_t(sizeof(float)) / big_p;
    constexpr std::int64_t big_q = least_q - least_q % d::stream_tile_q + d::stream_tile_q + block + 4 + 2;
    REQUIRE(big_p * big_q * std::int64_t(sizeof(float)) >= d::stream_bytes);
    REQUIRE((big_p % d::stream_tile_p) % 4 != 0);
    REQUIRE((big_q % d::stream_tile_q) % 4 != 0);
    // Values a cast changes (float64 to float32 rounds them) in a (q, p) tensor, of which the test copies views
    // whose stride-1 dimension p is not the last.
    const auto thirds = [](at::ScalarType from, at::IntArrayRef sizes)
    {
        std::int64_t n = 1;
        for (const std::int64_t size : sizes)
        {
            n *= size;
        }
        return (at::arange(n, from) * (1.0 / 3.0)).reshape(sizes);
    };
    for_each_type(
        floats{},
        [&](auto from_tag)
        {
            using From = typename decltype(from_tag)::type;
            constexpr auto from = xtorch::scalar_type_of<From>();
            for_each_type(
                floats{},
                [&](auto to_tag)
                {
                    using To = typename decltype(to_tag)::type;
                    constexpr auto to = xtorch::scalar_type_of<To>();
                    INFO("from " << xtorch::type_name<From>() << " to " << xtorch::type_name<To>());
                    for (const auto& [p, q] : {std::pair{rows, cols}, std::pair{big_p, big_q}})
                    {
                        INFO(p << " x " << q);
                        const at::Tensor t = thirds(from, {q, p}).t();
                        const at::Tensor expected = t.to(to);
                        REQUIRE(same_elements(xtorch::to_xarray<To>(t), expected));
                        const xt::xarray<From> x = xtorch::to_xarray<From>(t.t());
                        REQUIRE(xtorch::to_tensor(xt::transpose(x), to).equal(expected));
                    }
                    // An output whose start is not 16 bytes aligned, and one whose second plane is not: both
                    // large enough to stream, both written with ordinary stores.
                    const at::Tensor t = thirds(from, {big_q, big_p}).t();
                    at::Tensor shifted = at::empty({big_p * big_q + 1}, to).slice(0, 1).view({big_p, big_q});
                    REQUIRE(shifted.is_contiguous());
                    REQUIRE(reinterpret_cast<std::uintptr_t>(shifted.data_ptr()) % 16 != 0);
                    d::copy_cast(shifted, t);
                    REQUIRE(shifted.equal(t.to(to)));
                    // Outputs 16 bytes aligned whose rows all start 16, 32 or 48 bytes into a cache line: the first
                    // tile along q ends at the line boundary (line_lead), the others write whole lines. Rows whose
                    // starts differ (a row of big_q words is no whole number of lines) are tiled from their start.
                    constexpr std::int64_t word = sizeof(To);
                    const std::int64_t lined_q = big_q - big_q % 16 + 16;  // rows of whole lines, for both types
                    const at::Tensor lined = thirds(from, {lined_q, big_p}).t();
                    for (const std::int64_t into : {16, 32, 48})
                    {
                        INFO(into << " bytes into a line");
                        at::Tensor memory = at::empty({big_p * lined_q + 64}, to);
                        const auto start = static_cast<std::int64_t>(
                            reinterpret_cast<std::uintptr_t>(memory.data_ptr()) % 64);
                        const std::int64_t k = ((into - start + 64) % 64) / word;
                        at::Tensor out = memory.slice(0, k, k + big_p * lined_q).view({big_p, lined_q});
                        REQUIRE(reinterpret_cast<std::uintptr_t>(out.data_ptr()) % 64 == std::uintptr_t(into));
                        REQUIRE(d::line_lead(static_cast<const To*>(out.data_ptr()), out, 1) == (64 - into) / word);
                        d::copy_cast(out, lined);
                        REQUIRE(out.equal(lined.to(to)));
                        at::Tensor uneven = memory.slice(0, k, k + big_p * big_q).view({big_p, big_q});
                        REQUIRE(d::line_lead(static_cast<const To*>(uneven.data_ptr()), uneven, 1) == 0);
                        d::copy_cast(uneven, t);
                        REQUIRE(uneven.equal(t.to(to)));
                    }
                    const std::int64_t odd_p = big_p | 1, odd_q = (big_q / 2) | 1;  // an odd plane, two planes
                    const at::Tensor planes = thirds(from, {2, odd_q, odd_p}).transpose(1, 2);
                    REQUIRE(planes.numel() * std::int64_t(sizeof(To)) >= d::stream_bytes);
                    REQUIRE(same_elements(xtorch::to_xarray<To>(planes), planes.to(to)));
                });
        });
}
