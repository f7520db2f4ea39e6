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
