// Tests of to_tensor.hpp: any xtensor expression copied into a new tensor, cast on the way.
#include "test_common.hpp"

using namespace xtorch_test;

TEST_CASE("to_tensor: copies and casts float64 to float32", "[to_tensor]")
{
    xt::xarray<double> a = xt::arange(1., 10.);
    at::Tensor t = xtorch::to_tensor(a, at::kFloat);
    REQUIRE(t.scalar_type() == at::kFloat);
    REQUIRE(t.data_ptr() != a.data());
    REQUIRE(t.equal(at::arange(1, 10, at::kFloat)));
    a(0) = 100;
    REQUIRE(t[0].item<float>() == 1.f);
}

TEST_CASE("to_tensor: keeps the value type by default, as torch.tensor keeps float64", "[to_tensor]")
{
    xt::xarray<double> a = {1.5, 2.5};
    at::Tensor t = xtorch::to_tensor(a);
    REQUIRE(t.scalar_type() == at::kDouble);
    REQUIRE(t.data_ptr() != a.data());
    xt::xarray<std::int64_t> i = {1, 2, 3};
    REQUIRE(xtorch::to_tensor(i).scalar_type() == at::kLong);
}

TEST_CASE("to_tensor: lazy expressions are evaluated into the tensor", "[to_tensor]")
{
    xt::xarray<double> a = {1, 2, 3};
    xt::xarray<double> b = {10, 20, 30};
    REQUIRE(xtorch::to_tensor(a + b).equal(at::tensor({11., 22., 33.}, at::kDouble)));
    REQUIRE(xtorch::to_tensor(a + b, at::kFloat).equal(at::tensor({11.f, 22.f, 33.f})));
    REQUIRE(xtorch::to_tensor(xt::arange(1., 10.)).equal(at::arange(1., 10., at::kDouble)));
    REQUIRE(xtorch::to_tensor(xt::ones<int>({2, 2}), at::kLong).equal(at::ones({2, 2}, at::kLong)));
    // broadcasting expressions take their broadcast shape
    at::Tensor outer = xtorch::to_tensor(xt::view(a, xt::all(), xt::newaxis()) * b);
    REQUIRE(outer.sizes() == at::IntArrayRef{3, 3});
    REQUIRE(outer[2][1].item<double>() == 60.0);
}

TEST_CASE("to_tensor: a lazy expression is read linearly exactly when every leaf is row-major of its shape",
          "[to_tensor][strides]")
{
    const at::Tensor base = at::arange(12., at::kDouble).reshape({3, 4});
    const auto x = xtorch::as_xarray<const double>(base);
    const auto xt_ = xtorch::as_xarray<const double>(base.t());
    const auto row = xtorch::as_xarray<const double>(base[1]);
    const auto stepped = xtorch::as_xarray<const double>(base.slice(1, 0, 4, 2));
    // linear: contiguous leaves of the result's shape, scalars
    REQUIRE(xtorch::detail::is_linear_row_major(x + x * 2.0));
    REQUIRE(xtorch::to_tensor(x + x * 2.0).equal(base * 3));
    REQUIRE(xtorch::to_tensor(x + 1.0, at::kFloat).equal((base + 1).to(at::kFloat)));
    // not linear: transposed, broadcast and step-sliced leaves, generators; each still evaluated in logical order
    REQUIRE_FALSE(xtorch::detail::is_linear_row_major(xt_ + 0.0));
    REQUIRE(xtorch::to_tensor(xt_ + 0.0).equal(base.t()));
    REQUIRE_FALSE(xtorch::detail::is_linear_row_major(x + row));
    REQUIRE(xtorch::to_tensor(x + row).equal(base + base[1]));
    REQUIRE_FALSE(xtorch::detail::is_linear_row_major(stepped * 1.0));
    REQUIRE(xtorch::to_tensor(stepped * 1.0).equal(base.slice(1, 0, 4, 2)));
    REQUIRE(xtorch::to_tensor(xt::arange(6.) + x.flat(0)).equal(at::arange(6., at::kDouble)));
    // rank 0 and empty
    const auto scalar = xtorch::as_xarray<const double>(at::tensor(2.5, at::kDouble));
    REQUIRE(xtorch::to_tensor(scalar * 2.0).item<double>() == 5.0);
    const auto empty = xtorch::as_xarray<const double>(at::empty({0, 3}, at::kDouble));
    REQUIRE(xtorch::to_tensor(empty + 1.0).sizes() == at::IntArrayRef{0, 3});
}

TEST_CASE("to_tensor: strided sources come out contiguous in logical order", "[to_tensor][strides]")
{
    xt::xarray<double> a = xt::reshape_view(xt::arange(12.), {3, 4});
    at::Tensor base = xtorch::as_tensor(a);
    REQUIRE(xtorch::to_tensor(xt::transpose(a), at::kFloat).equal(base.t().to(at::kFloat)));
    REQUIRE(xtorch::to_tensor(xt::view(a, xt::range(0, 3, 2), xt::all())).equal(base.slice(0, 0, 3, 2)));
    auto rev = xt::view(a, xt::range(xt::placeholders::_, xt::placeholders::_, -1), xt::all());
    REQUIRE(xtorch::to_tensor(rev).equal(base.flip(0)));
    xt::xarray<double, xt::layout_type::column_major> c = a;
    at::Tensor tc = xtorch::to_tensor(c);
    REQUIRE(tc.is_contiguous());
    REQUIRE(tc.equal(base));
}

TEST_CASE("to_tensor: options set requires_grad", "[to_tensor]")
{
    xt::xarray<double> a = {1, 2};
    at::Tensor t = xtorch::to_tensor(a, at::TensorOptions().dtype(at::kFloat).requires_grad(true));
    REQUIRE(t.requires_grad());
    REQUIRE(t.is_leaf());
    t.sum().backward();
    REQUIRE(t.grad().equal(at::ones({2})));
}

TEST_CASE("to_tensor: refusals", "[to_tensor][refusal]")
{
    xt::xarray<double> a = {1, 2};
    SECTION("a layout other than strided")
    {
        const std::string msg =
            refusal([&] { xtorch::to_tensor(a, at::TensorOptions().layout(at::kSparse)); });
        REQUIRE_THAT(msg, text::Contains("found Sparse layout, expected strided layout"));
    }
}

TEST_CASE("CUDA asked for without CUDA is a conversion_error", "[to_tensor][cuda]")
{
    xt::xarray<double> a = {1, 2};
    if (xtorch::detail::visible_cuda_devices() > 0)
    {
        WARN("a GPU is visible: the no-CUDA refusal cannot be checked here; see the [cuda] cases");
        return;
    }
    const std::string msg = refusal([&] { xtorch::to_tensor(a, at::Device(at::kCUDA, 0)); });
    REQUIRE_THAT(
        msg, text::StartsWith("xtorch::to_tensor: CUDA was asked for, but this libtorch has no CUDA support "
                              "or no GPU is visible (found device cuda:0 with 0 visible CUDA devices"));
}
