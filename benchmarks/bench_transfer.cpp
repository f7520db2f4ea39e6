// The transfer benchmark: host-to-device and device-to-host copies from and into xtensor memory
// against a plain pinned tensor.copy_() of the same bytes, measured in the same run. Needs a GPU:
// without one every case reports the reason and is skipped. Run by ./scripts/gpu-check.sh.
//
// Targets: from pinned xtensor memory, at least 90% of the pinned copy_'s bandwidth both ways; from
// pageable xtensor memory at 64 MiB and more, at least 80% of the pinned figure.
#include <string>

#include <benchmark/benchmark.h>

#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)

namespace
{
    bool skip_without_gpu(benchmark::State& state)
    {
        if (xtorch::detail::visible_cuda_devices() == 0)
        {
            state.SkipWithError("no CUDA device: this libtorch has no CUDA support or no GPU is visible");
            return true;
        }
        return false;
    }

    /// Waits for the device's current stream, so that each iteration times a whole copy.
    void sync(const at::Device& device)
    {
        c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA)
            .synchronizeStream(c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).getStream(device));
    }

    void set_bytes(benchmark::State& state, std::int64_t bytes)
    {
        state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * bytes);
    }

    const at::Device gpu(at::kCUDA, 0);

    // ---------- the baseline: torch's own copies of pinned memory ----------

    void baseline_pinned_copy_h2d(benchmark::State& state)
    {
        if (skip_without_gpu(state))
        {
            return;
        }
        const std::int64_t n = state.range(0);
        at::Tensor host = at::ones({n}, at::TensorOptions().dtype(at::kFloat).pinned_memory(true));
        at::Tensor device = at::empty({n}, at::TensorOptions().dtype(at::kFloat).device(gpu));
        for (auto _ : state)
        {
            device.copy_(host, /*non_blocking=*/true);
            sync(gpu);
        }
        set_bytes(state, n * 4);
    }

    void baseline_pinned_copy_d2h(benchmark::State& state)
    {
        if (skip_without_gpu(state))
        {
            return;
        }
        const std::int64_t n = state.range(0);
        at::Tensor device = at::ones({n}, at::TensorOptions().dtype(at::kFloat).device(gpu));
        at::Tensor host = at::empty({n}, at::TensorOptions().dtype(at::kFloat).pinned_memory(true));
        for (auto _ : state)
        {
            host.copy_(device, /*non_blocking=*/true);
            sync(gpu);
        }
        set_bytes(state, n * 4);
    }

    // ---------- ours ----------

    void to_device_async_from_pinned_view(benchmark::State& state)
    {
        if (skip_without_gpu(state))
        {
            return;
        }
        const std::int64_t n = state.range(0);
        auto pinned = xtorch::empty_pinned<float>({static_cast<std::size_t>(n)});
        std::fill(pinned.begin(), pinned.end(), 1.f);
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_device_async(pinned, gpu).get());
        }
        set_bytes(state, n * 4);
    }

    void to_host_async_into_pinned_view(benchmark::State& state)
    {
        if (skip_without_gpu(state))
        {
            return;
        }
        const std::int64_t n = state.range(0);
        at::Tensor device = at::ones({n}, at::TensorOptions().dtype(at::kFloat).device(gpu));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(std::move(xtorch::to_host_async<float>(device)).get());
        }
        set_bytes(state, n * 4);
    }

    void to_tensor_from_pageable_xarray(benchmark::State& state)
    {
        if (skip_without_gpu(state))
        {
            return;
        }
        const std::int64_t n = state.range(0);
        xt::xarray<float> a = xt::ones<float>({static_cast<std::size_t>(n)});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_tensor(a, gpu));
            sync(gpu);
        }
        set_bytes(state, n * 4);
    }

    void to_xarray_from_device_into_pageable(benchmark::State& state)
    {
        if (skip_without_gpu(state))
        {
            return;
        }
        const std::int64_t n = state.range(0);
        at::Tensor device = at::ones({n}, at::TensorOptions().dtype(at::kFloat).device(gpu));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_xarray<float>(device));
        }
        set_bytes(state, n * 4);
    }
}

// 1 MiB, 16 MiB, 64 MiB and 256 MiB of floats.
#define SIZES \
    Arg(1 << 18)->Arg(1 << 22)->Arg(1 << 24)->Arg(1 << 26)->UseRealTime()->Unit(benchmark::kMillisecond)
BENCHMARK(baseline_pinned_copy_h2d)->SIZES;
BENCHMARK(to_device_async_from_pinned_view)->SIZES;
BENCHMARK(to_tensor_from_pageable_xarray)->SIZES;
BENCHMARK(baseline_pinned_copy_d2h)->SIZES;
BENCHMARK(to_host_async_into_pinned_view)->SIZES;
BENCHMARK(to_xarray_from_device_into_pageable)->SIZES;
BENCHMARK_MAIN();
