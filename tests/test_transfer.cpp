// Tests of transfer.hpp: pinned memory, synchronous and asynchronous copies to and from a GPU, and their refusals.
#include "test_common.hpp"

using namespace xtorch_test;

namespace
{
    /// Whether a CUDA device is visible; where none is, says so (a visible skip, not a silent pass).
    bool cuda_here()
    {
        if (xtorch::detail::visible_cuda_devices() == 0)
        {
            WARN("no CUDA device here: the [cuda] cases are skipped (run ./scripts/gpu-check.sh on a GPU "
                 "machine)");
            return false;
        }
        return true;
    }
}

TEST_CASE("CUDA: round trips, strided sources, casts on the way, refusals", "[cuda]")
{
    if (!cuda_here())
    {
        return;
    }
    const at::Device gpu(at::kCUDA, 0);
    SECTION("every dtype, both ways")
    {
        for_each_type(all_types{},
                      [&](auto tag)
                      {
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
        REQUIRE(
            xtorch::to_tensor(xt::transpose(a), opts).cpu().equal(host.permute({2, 1, 0}).to(at::kFloat)));
        REQUIRE(xtorch::to_tensor(a + 1.0, opts).cpu().equal((host + 1).to(at::kFloat)));
        at::Tensor d = host.to(gpu);
        REQUIRE((xtorch::to_xarray<float>(d.slice(2, 0, 4, 2))
                 == xt::cast<float>(xt::view(a, xt::all(), xt::all(), xt::range(0, 4, 2)))));
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
    REQUIRE_THAT(refusal(
                     [] {
                         xtorch::empty_pinned<float>({2, 3});
                     }),
                 text::StartsWith(
                     "xtorch::empty_pinned: pinned (page-locked) memory needs CUDA, but this libtorch has "
                     "no CUDA support or no GPU is visible (found 0 visible CUDA devices"));
    REQUIRE_THAT(
        refusal([&] { xtorch::to_device_async(a, at::Device(at::kCUDA, 0)); }),
        text::StartsWith("xtorch::to_device_async: CUDA was asked for, but this libtorch has no CUDA support")
            && text::EndsWith("xtorch::to_tensor(e) makes a host tensor."));
    REQUIRE_THAT(
        refusal([&] { xtorch::to_device_async(a + 1.0, at::TensorOptions(at::kCUDA).dtype(at::kFloat)); }),
        text::Contains("no CUDA support"));
    REQUIRE(!xtorch::is_pinned(at::ones({2})));
    REQUIRE(!xtorch::is_pinned(xtorch::as_xarray<float>(at::ones({2}))));
}

TEST_CASE("Asynchronous transfers refuse what is not a transfer, everywhere", "[transfer]")
{
    xt::xarray<double> a = {1, 2};
    REQUIRE(
        refusal([&] { xtorch::to_device_async(a, at::kCPU); })
        == "xtorch::to_device_async: an asynchronous transfer needs a CUDA device (found device cpu, expected "
           "device cuda or cuda:i). Pass torch::Device(torch::kCUDA, i); for host memory use xtorch::as_tensor or "
           "xtorch::to_tensor.");
    REQUIRE_THAT(refusal([] { xtorch::to_host_async<float>(at::ones({3})); }),
                 text::StartsWith("xtorch::to_host_async: the source must be a CUDA tensor (found device cpu")
                     && text::Contains("xtorch::as_xarray<T>(t) (no copy)"));
    REQUIRE_THAT(refusal([] { xtorch::to_host_async<float>(at::Tensor()); }),
                 text::Contains("an undefined tensor"));
}

TEST_CASE("CUDA: pinned memory, non-blocking transfers that cannot dangle, stream order", "[transfer][cuda]")
{
    if (!cuda_here())
    {
        return;
    }
    const at::Device gpu(at::kCUDA, 0);
    SECTION("every dtype both ways through pinned memory, transposed on the device")
    {
        for_each_type(all_types{},
                      [&](auto tag)
                      {
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
        d.add_(1);  // queued after the copy: must not show in the host result
        const auto host = std::move(down).get();
        REQUIRE(xt::all(xt::equal(host, 2.f)));
    }
    SECTION("device tensors are refused by the views, naming the device and the copy")
    {
        const std::string msg = refusal([&] { xtorch::as_xtensor<float, 1>(at::zeros({2}, gpu)); });
        REQUIRE_THAT(msg, text::Contains("can't convert cuda:0 device type tensor to xtensor"));
    }
}
