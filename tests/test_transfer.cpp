// Tests of transfer.hpp: pinned memory, synchronous and asynchronous copies to and from a device, and their
// refusals. The [simulated] cases run everywhere, on the simulated accelerator of simulated_device.hpp; the
// [cuda] cases where a GPU is visible (./scripts/gpu-check.sh).
#include <chrono>

#include <c10/core/StreamGuard.h>

#include "test_common.hpp"

#include "simulated_device.hpp"

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
        == "xtorch::to_device_async: an asynchronous transfer needs an accelerator device (found device cpu, "
           "expected an accelerator such as cuda:i, xpu:i, mps or privateuseone:i). Pass the accelerator's "
           "device, such as torch::Device(torch::kCUDA, i); for host memory use xtorch::as_tensor or "
           "xtorch::to_tensor.");
    REQUIRE_THAT(
        refusal([] { xtorch::to_host_async<float>(at::ones({3})); }),
        text::StartsWith("xtorch::to_host_async: the source must be a tensor on an accelerator device "
                         "(found device cpu")
            && text::Contains("xtorch::as_xarray<T>(t) (no copy)"));
    REQUIRE_THAT(refusal([] { xtorch::to_host_async<float>(at::Tensor()); }),
                 text::Contains("an undefined tensor"));
    REQUIRE_THAT(refusal([&] { xtorch::to_device_async(a, at::Device(at::kXPU, 0)); }),
                 text::StartsWith("xtorch::to_device_async: no xpu backend is loaded in this process")
                     && text::Contains("Load the backend first"));
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

// The simulated accelerator: copies run on a worker thread per stream after a delay, host memory is not
// protected by the device, and a failure inside a copy shows at the next event. What these cases check is
// what the transfer API promises on any accelerator.
namespace
{
    const at::Device sim = xtorch_sim::device(0);

    /// Leaves no simulated work queued when a case ends (nothing runs into the next case, or at exit).
    struct sim_case
    {
        ~sim_case()
        {
            xtorch_sim::synchronize_all();
        }
    };

    /// The values of a host tensor, converted to float, read here (not inside libtorch).
    std::vector<float> host_values(const at::Tensor& t)
    {
        const at::Tensor c = t.to(at::kFloat).contiguous();
        std::vector<float> out(static_cast<std::size_t>(c.numel()));
        for (std::size_t i = 0; i < out.size(); ++i)
        {
            out[i] = read_raw<float>(c, static_cast<std::int64_t>(i));
        }
        return out;
    }

    /// A device tensor holding 0, 1, 2, ... n-1 as float.
    at::Tensor device_iota(std::int64_t n)
    {
        return at::arange(n, at::kFloat).to(sim);
    }
}

TEST_CASE("Simulated accelerator: a reader that does not wait sees stale values", "[transfer][simulated]")
{
    // The simulator's own check: without it, the cases below could pass on a device that copies at once.
    sim_case settle;
    const at::Tensor d = device_iota(1000);
    at::Tensor host = at::zeros({1000}, at::kFloat);
    xtorch_sim::hold_copies hold;
    host.copy_(d, /*non_blocking=*/true);
    REQUIRE(read_raw<float>(host, 999) == 0.f);  // the copy has not run yet
    hold.release();
    xtorch_sim::synchronize_all();
    REQUIRE(read_raw<float>(host, 999) == 999.f);
}

TEST_CASE("Simulated accelerator: every dtype to the device and back, casts on the way",
          "[transfer][simulated]")
{
    sim_case settle;
    for_each_type(all_types{},
                  [&](auto tag)
                  {
                      using T = typename decltype(tag)::type;
                      INFO("type " << xtorch::type_name<T>());
                      const xt::xarray<T> src = samples<T>({3, 5});
                      auto up = xtorch::to_device_async(src, sim);
                      const at::Tensor d = up.get();
                      REQUIRE(d.device() == sim);
                      REQUIRE(d.scalar_type() == xtorch::scalar_type_of<T>());
                      auto down = xtorch::to_host_async<T>(d);
                      REQUIRE((down.get() == src));
                  });
    xt::xarray<double> a = xt::reshape_view(xt::arange(24.) + 0.1, {2, 3, 4});
    SECTION("float64 to float32 on the device, after the transfer")
    {
        at::Tensor d = xtorch::to_device_async(a, at::TensorOptions(sim).dtype(at::kFloat)).get();
        REQUIRE(d.scalar_type() == at::kFloat);
        REQUIRE((xtorch::to_host_async<double>(d).get() == xt::cast<double>(xt::cast<float>(a))));
    }
    SECTION("float64 on the device to float32 on the host, cast on the device")
    {
        at::Tensor d = xtorch::to_device_async(a, sim).get();
        REQUIRE((xtorch::to_host_async<float>(d).get() == xt::cast<float>(a)));
        REQUIRE((xtorch::to_host_async<std::int32_t>(d).get() == xt::cast<std::int32_t>(a)));
    }
}

TEST_CASE("Simulated accelerator: strided and lazy sources, both ways", "[transfer][simulated]")
{
    sim_case settle;
    xt::xarray<double> a = xt::reshape_view(xt::arange(24.), {2, 3, 4});
    const auto opts = at::TensorOptions(sim).dtype(at::kFloat);
    REQUIRE((xtorch::to_host_async<double>(xtorch::to_device_async(xt::transpose(a), sim).get()).get()
             == xt::transpose(a)));
    auto every_other = xt::view(a, xt::all(), xt::all(), xt::range(0, 4, 2));
    REQUIRE((xtorch::to_host_async<double>(xtorch::to_device_async(every_other, opts).get()).get()
             == every_other));
    REQUIRE((xtorch::to_host_async<float>(xtorch::to_device_async(a * 2.0 + 1.0, opts).get()).get()
             == xt::cast<float>(a * 2.0 + 1.0)));
    // A transposed view of a host tensor: strided, and kept alive by the transfer.
    const at::Tensor host = at::arange(12, at::kDouble).reshape({3, 4});
    at::Tensor d = xtorch::to_device_async(xtorch::as_xarray<double>(host.t()), sim).get();
    REQUIRE(host_values(d.to(at::kCPU)) == host_values(host.t().to(at::kFloat)));
    // Device tensors with strides, offsets and conjugate bits, to the host.
    REQUIRE((xtorch::to_host_async<double>(d.t()).get() == xtorch::as_xarray<double>(host)));
    REQUIRE((xtorch::to_host_async<double>(d.slice(1, 1, 3)).get()
             == xt::view(xt::transpose(xtorch::as_xarray<double>(host)), xt::all(), xt::range(1, 3))));
    const at::Tensor z = at::complex(at::ones({3}), at::arange(3, at::kFloat)).to(sim);
    REQUIRE(
        (xtorch::to_host_async<std::complex<float>>(z.conj()).get()
         == xt::xarray<std::complex<float>>({std::complex<float>(1.f, -0.f), std::complex<float>(1.f, -1.f),
                                             std::complex<float>(1.f, -2.f)})));
}

TEST_CASE("Simulated accelerator: sources destroyed while the copy is in flight",
          "[transfer][simulated][lifetime]")
{
    sim_case settle;
    const xtorch_sim::scoped_delay slow(std::chrono::milliseconds(50));
    const std::int64_t n = 1 << 16;
    SECTION("a view of a tensor, dropped by the caller: kept alive until the copy is done, then released")
    {
        const int before = frees();
        std::optional<xtorch::transfer<at::Tensor>> up;
        xtorch_sim::hold_copies hold;
        {
            auto view = xtorch::as_xarray<float>(counted_tensor(n));
            up.emplace(xtorch::to_device_async(view, sim));
        }  // the caller's view and tensor are gone; the transfer holds the storage
        REQUIRE(frees() == before);
        REQUIRE(!up->ready());
        hold.release();  // the copy starts, and still takes its delay: get() must wait for it
        const at::Tensor d = up->get();
        REQUIRE(frees() == before + 1);  // released as soon as the copy was seen done
        REQUIRE(host_values(d.to(at::kCPU))[static_cast<std::size_t>(n - 1)] == static_cast<float>(n - 1));
    }
    SECTION("an rvalue container moves into the transfer and is freed after the copy")
    {
        const int before = frees();
        xtorch_test::counted_xarray c = xt::arange<double>(static_cast<double>(n));
        auto up = xtorch::to_device_async(std::move(c), sim);
        REQUIRE(frees() == before);
        const at::Tensor d = up.get();
        REQUIRE(frees() == before + 1);
        REQUIRE(host_values(d.to(at::kCPU))[static_cast<std::size_t>(n - 1)] == static_cast<float>(n - 1));
    }
    SECTION("an lvalue container, destroyed right after the call: read before the call returned")
    {
        std::optional<xtorch::transfer<at::Tensor>> up;
        {
            xt::xarray<float> a = xt::arange<float>(static_cast<float>(n));
            up.emplace(xtorch::to_device_async(a, sim));
            a.fill(-1.f);  // written after the call: the copy must not see it
        }
        REQUIRE(host_values(up->get().to(at::kCPU))[static_cast<std::size_t>(n - 1)]
                == static_cast<float>(n - 1));
    }
    SECTION("the device source of a copy to the host, dropped by the caller")
    {
        auto down = [&]
        {
            at::Tensor d = device_iota(n);
            return xtorch::to_host_async<float>(d);
        }();
        REQUIRE(down.get()(static_cast<std::size_t>(n - 1)) == static_cast<float>(n - 1));
    }
#if XTORCH_SIM_HAS_PINNED_MEMORY
    SECTION("pinned memory from the backend's hooks, dropped while the copy is in flight")
    {
        std::optional<xtorch::transfer<at::Tensor>> up;
        xtorch_sim::hold_copies hold;
        {
            auto pinned = xtorch::empty_pinned<float>({static_cast<std::size_t>(n)}, sim);
            REQUIRE(xtorch::is_pinned(pinned));
            std::iota(pinned.begin(), pinned.end(), 0.f);
            up.emplace(xtorch::to_device_async(std::move(pinned), sim));
        }
        REQUIRE(!up->ready());
        hold.release();
        REQUIRE(host_values(up->get().to(at::kCPU))[static_cast<std::size_t>(n - 1)]
                == static_cast<float>(n - 1));
        // The host side of a copy to the host is pinned memory too.
        auto down = xtorch::to_host_async<float>(device_iota(4));
        REQUIRE(xtorch::is_pinned(down.get()));
    }
#endif
}

TEST_CASE("Simulated accelerator: get() is the way to the host result, ready() does not wait",
          "[transfer][simulated]")
{
    sim_case settle;
    const at::Tensor d = device_iota(1 << 12);
    const long synchronized_before = xtorch_sim::sim().event_synchronizations;
    const xtorch_sim::scoped_delay slow(std::chrono::milliseconds(100));
    xtorch_sim::hold_copies hold;
    auto down = xtorch::to_host_async<float>(d);
    REQUIRE(!down.ready());  // the copy is held: ready() returned without waiting for it
    hold.release();          // the copy starts, and takes 100 ms: get() must wait for it
    const auto& host = down.get();
    REQUIRE(down.ready());
    REQUIRE(host(4095) == 4095.f);
    REQUIRE(xt::all(xt::equal(host, xt::arange<float>(4096.f))));
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 4)
    // The wait went through Event::synchronize(), not a spin on query().
    REQUIRE(xtorch_sim::sim().event_synchronizations > synchronized_before);
#else
    REQUIRE(xtorch_sim::sim().event_synchronizations == synchronized_before);  // no synchronize(): polled
#endif
}

TEST_CASE("Simulated accelerator: stream order of work queued after a copy", "[transfer][simulated]")
{
    sim_case settle;
    const xtorch_sim::scoped_delay slow(std::chrono::milliseconds(20));
    SECTION("a write queued after a copy to the host does not show in its result")
    {
        at::Tensor d = at::ones({1000}, at::kFloat).to(sim);
        auto down = xtorch::to_host_async<float>(d);
        d.fill_(3);  // queued after the copy, on the same stream, without waiting
        auto later = xtorch::to_host_async<float>(d);
        REQUIRE(xt::all(xt::equal(down.get(), 1.f)));
        REQUIRE(xt::all(xt::equal(later.get(), 3.f)));
    }
    SECTION(
        "a copy queued on a stream from the pool runs there, and work queued there after it sees its data")
    {
        const c10::Stream pool = c10::impl::VirtualGuardImpl(sim.type()).getStreamFromGlobalPool(sim);
        const c10::StreamGuard on_pool(pool);
        auto up = xtorch::to_device_async(xt::xarray<float>(xt::ones<float>({1000})), sim);
        REQUIRE(up.stream() == pool);
        at::Tensor d = up.get();
        d.fill_(5);
        auto down = xtorch::to_host_async<float>(d);
        REQUIRE(down.stream() == pool);
        REQUIRE(xt::all(xt::equal(down.get(), 5.f)));
    }
}

TEST_CASE("Simulated accelerator: a transfer destroyed without get() waits for its copy",
          "[transfer][simulated][lifetime]")
{
    sim_case settle;
    const xtorch_sim::scoped_delay slow(std::chrono::milliseconds(30));
    const at::Tensor d = device_iota(1 << 12);
    xtorch_sim::synchronize_all();
    const long copies_before = xtorch_sim::sim().copies_run;
    {
        // Its host destination is freed with it: freed under the copy, the worker would write freed memory.
        auto down = xtorch::to_host_async<float>(d);
    }
    REQUIRE(xtorch_sim::sim().copies_run
            == copies_before + 1);  // the copy ran before the destructor returned
    const int before = frees();
    {
        auto up = xtorch::to_device_async(xtorch::as_xarray<float>(counted_tensor(1 << 12)), sim);
    }
    REQUIRE(frees() == before + 1);
    REQUIRE(xtorch_sim::sim().copies_run == copies_before + 2);
    SECTION("a moved-from transfer has nothing to wait for")
    {
        auto first = xtorch::to_host_async<float>(d);
        xtorch::transfer<xtorch::xarray_view<float>> second(std::move(first));
        REQUIRE(first.ready());
        REQUIRE(second.get()(7) == 7.f);
    }
}

TEST_CASE("Simulated accelerator: an exception inside the copy", "[transfer][simulated]")
{
    sim_case settle;
    const at::Tensor d = device_iota(64);
    xtorch_sim::synchronize_all();
    SECTION("get() throws the backend's error, every time, and the source is released")
    {
        const int before = frees();
        xtorch_sim::sim().failing_copies = 1;
        auto up = xtorch::to_device_async(xtorch::as_xarray<float>(counted_tensor(64)), sim);
        REQUIRE_THROWS_WITH(up.get(), text::Contains("the copy failed (a fault injected by the test)"));
        REQUIRE(up.ready());
        REQUIRE_THROWS_AS(up.get(), c10::Error);
        REQUIRE(frees() == before + 1);
    }
    SECTION("ready() sees the failure without waiting, and wait() throws it")
    {
        xtorch_sim::sim().failing_copies = 1;
        auto down = xtorch::to_host_async<float>(d);
        while (!down.ready())
        {
            std::this_thread::yield();
        }
        REQUIRE_THROWS_WITH(down.wait(), text::Contains("fault injected"));
    }
    SECTION("a failed transfer destroyed without get() does not throw, and the stream goes on")
    {
        xtorch_sim::sim().failing_copies = 1;
        REQUIRE_NOTHROW([&] { auto down = xtorch::to_host_async<float>(d); }());
        REQUIRE(xtorch::to_host_async<float>(d).get()(63) == 63.f);
    }
    REQUIRE(xtorch_sim::sim().failing_copies == 0);
}

TEST_CASE("Simulated accelerator: refusals name the device and the call that works", "[transfer][simulated]")
{
    sim_case settle;
    xt::xarray<double> a = {1, 2};
    REQUIRE(
        refusal([&] { xtorch::to_device_async(a, xtorch_sim::device(5)); })
        == "xtorch::to_device_async: no such privateuseone device (found device privateuseone:5, expected an "
           "index below 2). Use device privateuseone:i with i from 0 to 1.");
    REQUIRE_THAT(refusal([&] { xtorch::to_tensor(a, xtorch_sim::device(2)); }),
                 text::StartsWith("xtorch::to_tensor: no such privateuseone device"));
    REQUIRE_THAT(refusal([] { xtorch::as_xarray<float>(at::empty({2}, at::TensorOptions(sim))); }),
                 text::Contains("can't convert privateuseone:0 device type tensor to xtensor")
                     && text::Contains("xtorch::to_xarray<float>(t)"));
    // The second device works, and a device without an index is the current one.
    REQUIRE(xtorch::to_device_async(a, xtorch_sim::device(1)).get().device() == xtorch_sim::device(1));
    REQUIRE(xtorch::to_device_async(a, at::Device(sim.type())).get().device() == sim);
#if XTORCH_SIM_HAS_PINNED_MEMORY
    REQUIRE(!xtorch::is_pinned(at::ones({2})));
#else
    REQUIRE(
        refusal([] { xtorch::empty_pinned<float>({2}, sim); })
        == std::string("xtorch::empty_pinned: the privateuseone backend gives no pinned (page-locked) host "
                       "memory here (found device type privateuseone and torch ")
               + TORCH_VERSION
               + ", expected CUDA, or an accelerator whose hooks give pinned memory (torch 2.6 or later)). "
                 "Use ordinary memory: xtorch::to_device_async copies from any xtensor container.");
#endif
}
