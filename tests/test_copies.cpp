// Tests of the copies: to_tensor (xtensor to torch) and to_xarray / to_xtensor (torch to xtensor).
#include <numeric>
#include <optional>

#include "test_common.hpp"

using namespace xtorch_test;

namespace
{
    /// An xtensor expression with the same values as a, but lazy: it has no memory of its own.
    template <class T>
    auto lazy(const xt::xarray<T>& a)
    {
        return xt::make_lambda_xfunction([](const T& v) { return v; }, a);
    }

    template <class T>
    xt::xarray<T> samples(std::vector<std::size_t> shape)
    {
        xt::xarray<T> a = xt::xarray<T>::from_shape(shape);
        for (std::size_t i = 0; i < a.size(); ++i)
        {
            a.flat(i) = sample<T>(static_cast<int>(i));
        }
        return a;
    }
}

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

TEST_CASE("to_tensor and to_xarray: every dtype pair casts as torch casts", "[to_tensor][to_xarray][dtype]")
{
    for_each_type(all_types{}, [](auto from_tag) {
        using From = typename decltype(from_tag)::type;
        const xt::xarray<From> src = samples<From>({2, 3});
        const at::Tensor src_t = xtorch::to_tensor(src);
        for_each_type(all_types{}, [&](auto to_tag) {
            using To = typename decltype(to_tag)::type;
            constexpr auto to = xtorch::scalar_type_of<To>();
            INFO("from " << xtorch::type_name<From>() << " to " << xtorch::type_name<To>());
            const at::Tensor expected = src_t.to(to);
            // to_tensor: through torch's copy (memory) and through evaluation (lazy)
            REQUIRE(xtorch::to_tensor(src, to).equal(expected));
            REQUIRE(xtorch::to_tensor(lazy(src), to).equal(expected));
            REQUIRE(xtorch::to_tensor(xt::transpose(src), to).equal(expected.t()));
            // to_xarray: contiguous and transposed sources
            xt::xarray<To> back = xtorch::to_xarray<To>(src_t);
            REQUIRE(xtorch::as_tensor(back).equal(expected));
            xt::xarray<To> back_t = xtorch::to_xarray<To>(src_t.t());
            REQUIRE(xtorch::as_tensor(back_t).equal(expected.t()));
        });
    });
}

TEST_CASE("to_xarray: any strides, odd sizes, 0-d and empty", "[to_xarray][strides]")
{
    at::Tensor base = at::arange(7 * 5 * 3, at::kDouble).reshape({7, 5, 3});
    for (const at::Tensor& t : {base, base.permute({2, 0, 1}), base.slice(0, 1, 7, 3), base.select(1, 4),
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
    // 67 x 33 is no multiple of the 32 x 32 tiles; the leading 5 is a dimension outside the tile plane.
    at::Tensor base = at::arange(5 * 67 * 33, at::kDouble).reshape({5, 67, 33});
    for (const at::Tensor& t : {base.permute({0, 2, 1}), base.permute({2, 1, 0}), base.select(0, 3).t()})
    {
        INFO("sizes " << t.sizes() << " strides " << t.strides());
        xt::xarray<float> a = xtorch::to_xarray<float>(t);
        REQUIRE(same_elements(a, t.to(at::kFloat)));
        xt::xarray<std::int32_t> b = xtorch::to_xarray<std::int32_t>(t);
        REQUIRE(same_elements(b, t.to(at::kInt)));
    }
    xt::xarray<double> x = xtorch::to_xarray<double>(base);
    REQUIRE(xtorch::to_tensor(xt::transpose(x, {0, 2, 1}), at::kFloat).equal(base.permute({0, 2, 1}).to(at::kFloat)));
    REQUIRE(xtorch::to_tensor(xt::transpose(x), at::kHalf).equal(base.permute({2, 1, 0}).to(at::kHalf)));
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
        REQUIRE(msg == "xtorch::to_xtensor<float, 3>: rank mismatch (found rank 2 (sizes [2, 2]), expected rank 3). "
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

TEST_CASE("to_tensor: refusals", "[to_tensor][refusal]")
{
    xt::xarray<double> a = {1, 2};
    SECTION("a layout other than strided")
    {
        const std::string msg = refusal([&] { xtorch::to_tensor(a, at::TensorOptions().layout(at::kSparse)); });
        REQUIRE_THAT(msg, text::Contains("found Sparse layout, expected Strided layout"));
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
    REQUIRE_THAT(msg, text::StartsWith("xtorch::to_tensor: CUDA was asked for, but this libtorch has no CUDA support "
                                        "or no GPU is visible (found device cuda:0 with 0 visible CUDA devices"));
}

TEST_CASE("CUDA: round trips, strided sources, casts on the way, refusals", "[cuda]")
{
    if (xtorch::detail::visible_cuda_devices() == 0)
    {
        WARN("no CUDA device here: the [cuda] cases are skipped (run ./scripts/gpu-check.sh on a GPU machine)");
        return;
    }
    const at::Device gpu(at::kCUDA, 0);
    SECTION("every dtype, both ways")
    {
        for_each_type(all_types{}, [&](auto tag) {
            using T = typename decltype(tag)::type;
            INFO("type " << xtorch::type_name<T>());
            const xt::xarray<T> src = samples<T>({3, 5});
            at::Tensor d = xtorch::to_tensor(src, gpu);
            REQUIRE(d.device() == gpu);
            REQUIRE(d.scalar_type() == xtorch::scalar_type_of<T>());
            REQUIRE((xtorch::to_xarray<T>(d) == src));
            REQUIRE((xtorch::to_xarray<T>(d.t()) == xt::transpose(src)));
        });
    }
    SECTION("float64 to float32 on the way, strided sources, several ranks")
    {
        xt::xarray<double> a = xt::reshape_view(xt::arange(2. * 3 * 4), {2, 3, 4});
        const at::Tensor host = xtorch::as_tensor(a);
        const auto opts = at::TensorOptions().device(gpu).dtype(at::kFloat);
        REQUIRE(xtorch::to_tensor(a, opts).cpu().equal(host.to(at::kFloat)));
        REQUIRE(xtorch::to_tensor(xt::transpose(a), opts).cpu().equal(host.permute({2, 1, 0}).to(at::kFloat)));
        REQUIRE(xtorch::to_tensor(a + 1.0, opts).cpu().equal((host + 1).to(at::kFloat)));
        at::Tensor d = host.to(gpu);
        REQUIRE((xtorch::to_xarray<float>(d.slice(2, 0, 4, 2)) == xt::cast<float>(xt::view(a, xt::all(), xt::all(), xt::range(0, 4, 2)))));
        REQUIRE((xtorch::to_xtensor<double, 3>(d) == a));
    }
    SECTION("views of device memory are refused, naming the device and the copy")
    {
        const std::string msg = refusal([&] { xtorch::as_xarray<float>(at::zeros({2}, gpu)); });
        REQUIRE_THAT(msg, text::Contains("can't convert cuda:0 device type tensor to xtensor"));
        REQUIRE_THAT(msg, text::Contains("xtorch::to_xarray<float>(t)"));
    }
}

TEST_CASE("Pinned memory and asynchronous transfers without CUDA are conversion_errors", "[transfer][cuda]")
{
    if (xtorch::detail::visible_cuda_devices() > 0)
    {
        WARN("a GPU is visible: the no-CUDA refusals cannot be checked here; see the [cuda] transfer cases");
        return;
    }
    xt::xarray<double> a = {1, 2};
    REQUIRE_THAT(refusal([] { xtorch::empty_pinned<float>({2, 3}); }),
                 text::StartsWith("xtorch::empty_pinned: pinned (page-locked) memory needs CUDA, but this libtorch has "
                                   "no CUDA support or no GPU is visible (found 0 visible CUDA devices"));
    REQUIRE_THAT(refusal([&] { xtorch::to_device_async(a, at::Device(at::kCUDA, 0)); }),
                 text::StartsWith("xtorch::to_device_async: CUDA was asked for, but this libtorch has no CUDA support")
                     && text::EndsWith("xtorch::to_tensor(e) makes a host tensor."));
    REQUIRE_THAT(refusal([&] { xtorch::to_device_async(a + 1.0, at::TensorOptions(at::kCUDA).dtype(at::kFloat)); }),
                 text::Contains("no CUDA support"));
    REQUIRE(!xtorch::is_pinned(at::ones({2})));
    REQUIRE(!xtorch::is_pinned(xtorch::as_xarray<float>(at::ones({2}))));
}

TEST_CASE("Asynchronous transfers refuse what is not a transfer, everywhere", "[transfer]")
{
    xt::xarray<double> a = {1, 2};
    REQUIRE(refusal([&] { xtorch::to_device_async(a, at::kCPU); })
            == "xtorch::to_device_async: an asynchronous transfer needs a CUDA device (found device cpu, expected "
               "device cuda or cuda:i). Pass torch::Device(torch::kCUDA, i); for host memory use xtorch::as_tensor or "
               "xtorch::to_tensor.");
    REQUIRE_THAT(refusal([] { xtorch::to_host_async<float>(at::ones({3})); }),
                 text::StartsWith("xtorch::to_host_async: the source must be a CUDA tensor (found device cpu")
                     && text::Contains("xtorch::as_xarray<T>(t) (no copy)"));
    REQUIRE_THAT(refusal([] { xtorch::to_host_async<float>(at::Tensor()); }), text::Contains("an undefined tensor"));
}

TEST_CASE("CUDA: pinned memory, non-blocking transfers that cannot dangle, stream order", "[transfer][cuda]")
{
    if (xtorch::detail::visible_cuda_devices() == 0)
    {
        WARN("no CUDA device here: the [cuda] transfer cases are skipped (run ./scripts/gpu-check.sh on a GPU machine)");
        return;
    }
    const at::Device gpu(at::kCUDA, 0);
    SECTION("every dtype both ways through pinned memory, transposed on the device")
    {
        for_each_type(all_types{}, [&](auto tag) {
            using T = typename decltype(tag)::type;
            INFO("type " << xtorch::type_name<T>());
            const xt::xarray<T> src = samples<T>({3, 5});
            auto pinned = xtorch::empty_pinned<T>({3, 5});
            REQUIRE(xtorch::is_pinned(pinned));
            xt::noalias(pinned) = src;
            auto up = xtorch::to_device_async(pinned, gpu);
            at::Tensor d = up.get();
            REQUIRE(d.device() == gpu);
            auto down = xtorch::to_host_async<T>(d.t());
            REQUIRE((down.get() == xt::transpose(src)));
            REQUIRE(down.ready());
        });
    }
    SECTION("float64 to float32 on the way, several ranks, lazy sources")
    {
        for (std::size_t rank = 0; rank <= 3; ++rank)
        {
            std::vector<std::size_t> shape(rank, 3);
            xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
            std::iota(a.begin(), a.end(), 0.5);
            const auto opts = at::TensorOptions().device(gpu).dtype(at::kFloat);
            at::Tensor d = xtorch::to_device_async(a, opts).get();
            REQUIRE(d.scalar_type() == at::kFloat);
            REQUIRE((xtorch::to_xarray<double>(d) == xt::cast<double>(xt::cast<float>(a))));
            at::Tensor lazy = xtorch::to_device_async(a * 2.0, opts).get();
            REQUIRE((xtorch::to_xarray<float>(lazy) == xt::cast<float>(a * 2.0)));
            REQUIRE((std::move(xtorch::to_host_async<float>(d.to(at::kDouble))).get() == xt::cast<float>(a)));
        }
    }
    SECTION("a pinned source dropped while its copy is in flight stays alive until the copy is done")
    {
        const std::int64_t n = 1 << 24;  // 64 MiB of floats: long enough to be in flight
        std::optional<xtorch::transfer<at::Tensor>> up;
        {
            auto pinned = xtorch::empty_pinned<float>({static_cast<std::size_t>(n)});
            std::iota(pinned.begin(), pinned.end(), 0.f);
            up.emplace(xtorch::to_device_async(std::move(pinned), gpu));
        }  // the caller's view is gone; the transfer holds the storage
        at::Tensor d = up->get();
        REQUIRE(d[n - 1].item<float>() == static_cast<float>(n - 1));
    }
    SECTION("stream order: work queued after the copy on its stream sees the data without a wait")
    {
        auto pinned = xtorch::empty_pinned<float>({1 << 20});
        std::fill(pinned.begin(), pinned.end(), 1.f);
        auto up = xtorch::to_device_async(pinned, gpu);
        at::Tensor d = up.get();  // the device tensor; get() waited, so the pinned buffer may be reused
        d.add_(1);                // queued on the same stream
        auto down = xtorch::to_host_async<float>(d);
        d.add_(1);                // queued after the copy: must not show in the host result
        const auto host = std::move(down).get();
        REQUIRE(xt::all(xt::equal(host, 2.f)));
    }
    SECTION("device tensors are refused by the views, naming the device and the copy")
    {
        const std::string msg = refusal([&] { xtorch::as_xtensor<float, 1>(at::zeros({2}, gpu)); });
        REQUIRE_THAT(msg, text::Contains("can't convert cuda:0 device type tensor to xtensor"));
    }
}
