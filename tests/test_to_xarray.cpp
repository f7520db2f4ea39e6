// Tests of to_xarray.hpp: any tensor copied into a new xt::xarray / xt::xtensor, cast on the way.
#include "test_common.hpp"

using namespace xtorch_test;

TEST_CASE("to_xarray: any strides, odd sizes, 0-d and empty", "[to_xarray][strides]")
{
    at::Tensor base = at::arange(7 * 5 * 3, at::kDouble).reshape({7, 5, 3});
    for (const at::Tensor& t :
         {base, base.permute({2, 0, 1}), base.slice(0, 1, 7, 3), base.select(1, 4),
          at::arange(3, at::kDouble).expand({5, 3}), base[6][4][2], base.slice(0, 3, 3)})
    {
        INFO("sizes " << t.sizes() << " strides " << t.strides());
        xt::xarray<float> a = xtorch::to_xarray<float>(t);
        REQUIRE(same_elements(a, t.to(at::kFloat)));
        REQUIRE(a.layout() == xt::layout_type::row_major);
    }
}

TEST_CASE("the tiled copy of transposed sources: odd sizes, tile remainders, outer dimensions",
          "[to_tensor][to_xarray][strides]")
{
    // 131 x 70 is no multiple of the 64 x 64 tiles (remainders 3 and 6: neither a multiple of the 4 x 4
    // blocks of 4-byte words, and 3 none of the 2 x 2 blocks of 8-byte ones); the leading 3 is a
    // dimension outside the tile plane.
    at::Tensor base = at::arange(3 * 131 * 70, at::kDouble).reshape({3, 131, 70});
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
    // 67 x 66: one whole 64 x 64 tile per row of tiles and remainders of 3 and 2, so words of every
    // size take the block transposes and the element-by-element edges.
    for_each_type(all_types{},
                  [](auto from_tag)
                  {
                      using From = typename decltype(from_tag)::type;
                      const xt::xarray<From> src = samples<From>({67, 66});
                      const at::Tensor src_t = xtorch::to_tensor(src);
                      for_each_type(all_types{},
                                    [&](auto to_tag)
                                    {
                                        using To = typename decltype(to_tag)::type;
                                        constexpr auto to = xtorch::scalar_type_of<To>();
                                        INFO("from " << xtorch::type_name<From>() << " to "
                                                     << xtorch::type_name<To>());
                                        const at::Tensor expected = src_t.t().to(to);
                                        REQUIRE(xtorch::to_tensor(xt::transpose(src), to).equal(expected));
                                        REQUIRE(same_elements(xtorch::to_xarray<To>(src_t.t()), expected));
                                    });
                  });
}

TEST_CASE("to_xarray: copies, whatever the tensor's flags", "[to_xarray]")
{
    SECTION("a copy, not a view")
    {
        at::Tensor t = at::ones({3});
        xt::xarray<float> a = xtorch::to_xarray<float>(t);
        a(0) = 5;
        REQUIRE(t[0].item<float>() == 1.f);
    }
    SECTION("requires grad: values only")
    {
        at::Tensor w = at::full({2}, 3.0, at::kDouble).requires_grad_();
        at::Tensor y = w * 2;
        xt::xarray<double> a = xtorch::to_xarray<double>(y);
        REQUIRE((a == xt::xarray<double>{6, 6}));
    }
    SECTION("conjugate and negative bits are resolved")
    {
        at::Tensor z = at::tensor({1.0, 2.0}, at::kDouble);
        at::Tensor c = at::complex(z, z).conj();
        auto a = xtorch::to_xarray<std::complex<double>>(c);
        REQUIRE(a(1) == std::complex<double>(2, -2));
        auto n = xtorch::to_xarray<double>(at::_neg_view(z));
        REQUIRE((n == xt::xarray<double>{-1, -2}));
    }
    SECTION("sparse tensors are densified")
    {
        REQUIRE((xtorch::to_xarray<double>(at::eye(2).to_sparse()) == xt::eye<double>(2)));
    }
    SECTION("static rank")
    {
        xt::xtensor<std::int64_t, 2> m = xtorch::to_xtensor<std::int64_t, 2>(at::eye(2));
        REQUIRE(m(1, 1) == 1);
        const std::string msg = refusal([] { xtorch::to_xtensor<float, 3>(at::zeros({2, 2})); });
        REQUIRE(
            msg
            == "xtorch::to_xtensor<float, 3>: rank mismatch (found rank 2 (sizes [2, 2]), expected rank 3). "
               "Use xtorch::to_xarray<float>(t) for any rank, or t.reshape(...) first.");
    }
    SECTION("quantized tensors are refused")
    {
        at::Tensor q = at::quantize_per_tensor(at::ones({2}), 0.1, 0, at::kQInt8);
        const std::string msg = refusal([&] { xtorch::to_xarray<float>(q); });
        REQUIRE_THAT(msg, text::Contains("unsupported dtype (found QInt8"));
        REQUIRE_THAT(msg, text::Contains("t.dequantize()"));
    }
    SECTION("undefined tensors are refused")
    {
        REQUIRE_THAT(refusal([] { xtorch::to_xarray<float>(at::Tensor()); }), text::Contains("undefined"));
    }
}

TEST_CASE("the direct copies: sizes around the parallel grain, several threads, offsets, every cast rule",
          "[to_xarray][to_tensor][threads]")
{
    // Contiguous CPU sources skip torch's copy_: a loop over torch's intra-op threads in tasks of
    // copy_grain elements. Sizes just below, at and above a task edge, run on four threads (split where
    // this program is built with OpenMP, as tests/CMakeLists.txt does when it finds it).
    const int threads = at::get_num_threads();
    at::set_num_threads(4);
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
    at::set_num_threads(threads);
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
