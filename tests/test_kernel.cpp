// Tests of kernel.hpp and of the view rule for tensors that require grad: const views read them anywhere,
// writable views take them only where autograd does not record; xtorch::kernel's signature, argument checks and
// results, called directly and through the dispatcher.
#include "test_common.hpp"

#include <torch/library.h>

#include <ATen/core/LegacyTypeDispatch.h>
#include <ATen/core/dispatch/Dispatcher.h>

using namespace xtorch_test;

namespace
{
    /// softplus(x) * y, lazily: the adaptor evaluates it into a new tensor.
    auto softplus_mul(xtorch::xarray_view<const double> x, xtorch::xarray_view<const double> y)
    {
        return xt::log1p(xt::exp(x)) * y;
    }

    /// A container result: moved into the tensor.
    xt::xtensor<double, 2> outer(xtorch::xtensor_view<const double, 1> a,
                                 xtorch::xtensor_view<const double, 1> b, float scale)
    {
        xt::xtensor<double, 2> out = xt::view(a, xt::all(), xt::newaxis())
                                     * xt::view(b, xt::newaxis(), xt::all()) * static_cast<double>(scale);
        return out;
    }

    /// In place, for a `Tensor(a!)` schema.
    void scale_(xtorch::xarray_view<double> x, double f)
    {
        x *= f;
    }

    /// Two results, one of them the input's view: evaluated, never aliased.
    std::tuple<xtorch::xarray_view<const double>, xt::xarray<double>> pass_and_double(
        xtorch::xarray_view<const double> x)
    {
        return {x, 2.0 * x};
    }
}

TORCH_LIBRARY(xtorch_kernel_test, m)
{
    m.def("softplus_mul(Tensor x, Tensor y) -> Tensor");
    m.def("scale_(Tensor(a!) x, float f) -> ()");
}

TORCH_LIBRARY_IMPL(xtorch_kernel_test, CPU, m)
{
    m.impl("softplus_mul", xtorch::kernel(&softplus_mul));
    m.impl("scale_", xtorch::kernel(&scale_));
}

TEST_CASE("views of a tensor that requires grad: const anywhere, writable where autograd does not record",
          "[views][autograd]")
{
    at::Tensor w = at::arange(4, at::kFloat).requires_grad_();
    SECTION("a const view reads it, with autograd recording")
    {
        auto v = xtorch::as_xarray<const float>(w);
        REQUIRE(v(3) == 3.0f);
        REQUIRE(&v(0) == w.data_ptr<float>());
    }
    SECTION("a writable view is refused where autograd records, and says what works")
    {
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(w); });
        REQUIRE(
            msg
            == "xtorch::as_xarray<float>: can't view a tensor that requires grad (found requires_grad=true, "
               "expected requires_grad=false). Use xtorch::as_xarray<const float>(t) to read it, "
               "xtorch::as_xarray<float>(t.detach()) to write without autograd seeing it, or write under "
               "at::NoGradGuard.");
    }
    SECTION("under no_grad, inference mode and below autograd, it is writable")
    {
        {
            at::NoGradGuard no_grad;
            xtorch::as_xtensor<float, 1>(w)(0) = 10.0f;
        }
        {
            c10::InferenceMode inference;
            xtorch::as_xarray<float>(w)(1) = 11.0f;
        }
        {
            at::AutoDispatchBelowADInplaceOrView below;  // what an autograd kernel's redispatch sets
            xtorch::as_xarray<float>(w)(2) = 12.0f;
        }
        REQUIRE(read_raw<float>(w, 0) == 10.0f);
        REQUIRE(read_raw<float>(w, 1) == 11.0f);
        REQUIRE(read_raw<float>(w, 2) == 12.0f);
        // Outside the guards the rule is back.
        REQUIRE_THROWS_AS(xtorch::as_xarray<float>(w), xtorch::conversion_error);
    }
}

TEST_CASE("kernel: called directly, its arguments are viewed and its result made a tensor", "[kernel]")
{
    const at::Tensor x = at::linspace(-2, 2, 6, at::kDouble).reshape({2, 3});
    const at::Tensor y = at::arange(6, at::kDouble).reshape({2, 3}).t().contiguous().t();  // strided
    SECTION("a lazy result is evaluated into a new tensor")
    {
        const auto k = xtorch::kernel(&softplus_mul);
        const at::Tensor r = k(x, y);
        REQUIRE(r.allclose(at::softplus(x) * y));
        REQUIRE(r.is_contiguous());
    }
    SECTION("a container result is moved in; float parameters are taken as double")
    {
        const auto k = xtorch::kernel(&outer);
        static_assert(std::is_same<decltype(k(x, y, 2.0)), at::Tensor>::value, "one tensor out");
        const at::Tensor a = at::arange(3, at::kDouble);
        const at::Tensor r = k(a, a + 1, 0.5);
        REQUIRE(r.equal(at::outer(a, a + 1) * 0.5));
    }
    SECTION("a returned view is copied, never an alias of the input; tuples become tuples of tensors")
    {
        const auto k = xtorch::kernel(&pass_and_double);
        const auto [same, twice] = k(x);
        REQUIRE(same.equal(x));
        REQUIRE_FALSE(same.is_alias_of(x));
        REQUIRE(twice.equal(2 * x));
    }
    SECTION("lambdas too, with a writable view")
    {
        at::Tensor z = at::zeros({3}, at::kFloat);
        const auto fill = xtorch::kernel([](xtorch::xtensor_view<float, 1> v, std::int64_t n)
                                         { v.fill(static_cast<float>(n)); });
        fill(z, 7);
        REQUIRE(z.equal(at::full({3}, 7.0f)));
        const auto narrow = xtorch::kernel([](int n) { return n; });
        REQUIRE(narrow(std::int64_t(5)) == 5);
        REQUIRE_THROWS_AS(narrow(std::int64_t(1) << 40), c10::ValueError);
    }
    SECTION("a refused argument is torch's TypeError or ValueError, naming its position")
    {
        const auto k = xtorch::kernel(&softplus_mul);
        try
        {
            k(x, y.to(at::kFloat));
            FAIL("a float32 argument for a view of const double must be refused");
        }
        catch (const c10::TypeError& e)
        {
            REQUIRE_THAT(
                e.what_without_backtrace(),
                text::StartsWith("xarray_view<const double> argument 1: dtype mismatch (found float32, "
                                 "expected float64). Pass x.to(torch.float64)"));
        }
        const auto o = xtorch::kernel(&outer);
        try
        {
            o(x, at::arange(3, at::kDouble), 1.0);
            FAIL("a matrix for a rank-1 view must be refused");
        }
        catch (const c10::TypeError& e)
        {
            REQUIRE_THAT(
                e.what_without_backtrace(),
                text::StartsWith("xtensor_view<const double, 1> argument 0: rank mismatch (found rank 2, "
                                 "shape (2, 3), expected rank 1)."));
        }
        // Its memory, not its type: a value refusal.
        const auto s = xtorch::kernel(&scale_);
        try
        {
            s(at::zeros({3}, at::kDouble).expand({2, 3}), 2.0);
            FAIL("memory that elements share must be refused for a writable view");
        }
        catch (const c10::ValueError& e)
        {
            REQUIRE_THAT(e.what_without_backtrace(),
                         text::StartsWith("xarray_view<double> argument 0: more than one element of the written-to "
                                          "tensor may refer to a single memory location"));
        }
    }
}

TEST_CASE("kernel: registered with m.impl, called through the dispatcher", "[kernel]")
{
    auto& dispatcher = c10::Dispatcher::singleton();
    const auto softplus = dispatcher.findSchemaOrThrow("xtorch_kernel_test::softplus_mul", "")
                              .typed<at::Tensor(const at::Tensor&, const at::Tensor&)>();
    const at::Tensor x = at::randn({5}, at::kDouble);
    REQUIRE(softplus.call(x, x).allclose(at::softplus(x) * x));

    const auto scale = dispatcher.findSchemaOrThrow("xtorch_kernel_test::scale_", "")
                           .typed<void(const at::Tensor&, double)>();
    at::Tensor t = at::ones({4}, at::kDouble);
    scale.call(t, 3.0);
    REQUIRE(t.equal(at::full({4}, 3.0, at::kDouble)));
    // A leaf that requires grad, updated in place under no_grad as an optimizer does. (Where autograd records,
    // torch 1.13 calls the kernel with autograd still recording, so the view refuses; torch 2's autograd
    // fallback calls it below autograd and handles the leaf itself.)
    at::Tensor leaf = at::ones({2}, at::kDouble).requires_grad_();
    {
        at::NoGradGuard no_grad;  // the optimizer's update of a parameter
        scale.call(leaf, 2.0);
    }
    REQUIRE(read_raw<double>(leaf, 1) == 2.0);
}
