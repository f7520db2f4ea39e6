// Benchmarks of every as_* and to_* call against the peers (from_blob, xt::adapt, Tensor::to, xt::cast)
// and the memory floor, measured in one run so that ratios between them mean something.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <benchmark/benchmark.h>

#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xadapt)
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xarray)
#include XTENSOR_TORCH_XTENSOR_HEADER(generators, xbuilder)
#include XTENSOR_TORCH_XTENSOR_HEADER(misc, xmanipulation)

#include "scaled_sum_ops.hpp"

namespace
{
    constexpr std::int64_t small = 1 << 10;
    constexpr std::int64_t large = 1 << 25;

    xt::xarray<double> ramp(std::int64_t n)
    {
        xt::xarray<double> a = xt::xarray<double>::from_shape({static_cast<std::size_t>(n)});
        for (std::size_t i = 0; i < a.size(); ++i)
        {
            a(i) = static_cast<double>(i % 1000) * 0.5;
        }
        return a;
    }

    /// A square-ish 2-d shape with n elements (n a power of two), for the transposed cases.
    std::vector<std::size_t> square(std::int64_t n)
    {
        std::size_t rows = 1;
        while (static_cast<std::int64_t>(rows * rows) < n)
        {
            rows *= 2;
        }
        return {rows, static_cast<std::size_t>(n) / rows};
    }

    // ---------- zero-copy calls: O(1), compared with the hand-rolled peers ----------

    void as_tensor_lvalue(benchmark::State& state)
    {
        xt::xarray<float> a = xt::zeros<float>({static_cast<std::size_t>(state.range(0))});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::as_tensor(a));
        }
    }

    void peer_from_blob_with_deleter(benchmark::State& state)
    {
        xt::xarray<float> a = xt::zeros<float>({static_cast<std::size_t>(state.range(0))});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(at::from_blob(
                a.data(), {state.range(0)}, [](void*) {}, at::kFloat));
        }
    }

    void as_xarray(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::as_xarray<float>(t));
        }
    }

    // A writable view checks that no two elements share memory (settle_source's overlap rule); a view of const
    // elements does not. Both views of the same step-sliced, transposed tensor: the ratio is what the check costs.
    at::Tensor sliced_tensor(std::int64_t n)
    {
        return at::zeros({4, n / 4, 2}).slice(1, 0, n / 4, 2).transpose(0, 1);
    }

    void as_xarray_sliced_writable(benchmark::State& state)
    {
        at::Tensor t = sliced_tensor(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::as_xarray<float>(t));
        }
    }

    void as_xarray_sliced_const(benchmark::State& state)
    {
        at::Tensor t = sliced_tensor(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::as_xarray<const float>(t));
        }
    }

    // The overlap rule alone, on the same geometry: the part of the writable view's cost that is the check.
    void overlap_check_alone(benchmark::State& state)
    {
        const xtorch::detail::strided_source source = xtorch::detail::tensor_source(sliced_tensor(state.range(0)));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::detail::may_overlap(source.g));
        }
    }

    void as_xtensor_rank1(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::as_xtensor<float, 1>(t));
        }
    }

    // A view passed on by value: copied (a second view of the same memory), or moved, which for xtensor's strided
    // views is a copy too (they declare a copy assignment, so they have no move constructor). The peer is the
    // copy of the at::Tensor handle itself: one reference count, as the view's storage has.
    void view_copy(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        const auto v = xtorch::as_xarray<float>(t);
        for (auto _ : state)
        {
            auto c = v;
            benchmark::DoNotOptimize(c);
        }
    }

    void view_move(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        auto v = xtorch::as_xarray<float>(t);
        for (auto _ : state)
        {
            auto c = std::move(v);  // NOLINT(performance-move-const-arg): a copy, which is what is measured
            benchmark::DoNotOptimize(c);
        }
    }

    void peer_tensor_copy(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        for (auto _ : state)
        {
            at::Tensor c = t;
            benchmark::DoNotOptimize(c);
        }
    }

    void as_tensor_of_tensor_view(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        auto v = xtorch::as_xarray<float>(t);
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::as_tensor(v));  // shares t's storage
        }
    }

    void as_tensor_rvalue(benchmark::State& state)
    {
        // The move of a fresh container into the tensor; making the container is not timed.
        for (auto _ : state)
        {
            state.PauseTiming();
            xt::xarray<float> a = xt::xarray<float>::from_shape({static_cast<std::size_t>(state.range(0))});
            state.ResumeTiming();
            benchmark::DoNotOptimize(xtorch::as_tensor(std::move(a)));
        }
    }

    void peer_xt_adapt_no_ownership(benchmark::State& state)
    {
        at::Tensor t = at::zeros({state.range(0)});
        for (auto _ : state)
        {
            auto v = xt::adapt(t.data_ptr<float>(), static_cast<std::size_t>(t.numel()), xt::no_ownership(),
                               std::vector<std::size_t>{static_cast<std::size_t>(t.numel())});
            benchmark::DoNotOptimize(v);
        }
    }

    // ---------- copies with a cast, float64 to float32 ----------

    /// ramp(n) as a square-ish 2-d xarray, whose transpose is the transposed source of to_tensor.
    xt::xarray<double> square_ramp(std::int64_t n)
    {
        return xt::reshape_view(ramp(n), square(n));
    }

    /// ramp(n) as a square-ish 2-d tensor, transposed: the transposed source of to_xarray.
    at::Tensor transposed_ramp(std::int64_t n)
    {
        const auto shape = square(n);
        return xtorch::to_tensor(ramp(n))
            .reshape({static_cast<std::int64_t>(shape[0]), static_cast<std::int64_t>(shape[1])})
            .t();
    }

    void to_tensor_f64_to_f32(benchmark::State& state)
    {
        const xt::xarray<double> a = ramp(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_tensor(a, at::kFloat));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void to_tensor_f64_to_f32_transposed(benchmark::State& state)
    {
        const xt::xarray<double> a = square_ramp(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_tensor(xt::transpose(a), at::kFloat));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void to_tensor_f64_to_f32_lazy(benchmark::State& state)
    {
        const xt::xarray<double> a = ramp(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_tensor(a * 2.0, at::kFloat));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void to_xarray_f64_to_f32(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_xarray<float>(t));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void to_xarray_f64_to_f32_transposed(benchmark::State& state)
    {
        const at::Tensor t = transposed_ramp(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_xarray<float>(t));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    // ---------- the same copies from memory: every cache emptied before each one ----------

    /**
     * Reads a buffer twice the size of the largest cache, a word per line, so that what the last copy left in
     * the caches is gone before the next: the 32 MiB source of a copy of 2^22 float64 is as large as many
     * processors' L3, and run again and again a copy finds part of it there, which the contiguous copy gains
     * more from than the transposed one. Read, not written, so that no dirty line is written back during the
     * copy; 64 MiB where the processor reports no cache sizes.
     */
    void empty_caches()
    {
        static const std::vector<std::int64_t> junk = []
        {
            std::size_t largest = std::size_t(32) << 20;
            for (const auto& cache : benchmark::CPUInfo::Get().caches)
            {
                largest = std::max(largest, static_cast<std::size_t>(cache.size));
            }
            return std::vector<std::int64_t>(2 * largest / sizeof(std::int64_t), 1);
        }();
        std::int64_t sum = 0;
        for (std::size_t i = 0; i < junk.size(); i += 64 / sizeof(std::int64_t))
        {
            sum += junk[i];
        }
        benchmark::DoNotOptimize(sum);
    }

    /// `copy()` timed alone, each time after empty_caches.
    template <class Copy>
    void from_memory(benchmark::State& state, Copy&& copy)
    {
        for (auto _ : state)
        {
            state.PauseTiming();
            empty_caches();
            state.ResumeTiming();
            benchmark::DoNotOptimize(copy());
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void to_tensor_f64_to_f32_cold(benchmark::State& state)
    {
        const xt::xarray<double> a = ramp(state.range(0));
        from_memory(state, [&] { return xtorch::to_tensor(a, at::kFloat); });
    }

    void to_tensor_f64_to_f32_transposed_cold(benchmark::State& state)
    {
        const xt::xarray<double> a = square_ramp(state.range(0));
        from_memory(state, [&] { return xtorch::to_tensor(xt::transpose(a), at::kFloat); });
    }

    void to_xarray_f64_to_f32_cold(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        from_memory(state, [&] { return xtorch::to_xarray<float>(t); });
    }

    void to_xarray_f64_to_f32_transposed_cold(benchmark::State& state)
    {
        const at::Tensor t = transposed_ramp(state.range(0));
        from_memory(state, [&] { return xtorch::to_xarray<float>(t); });
    }

    /// to_xarray<T> of a T tensor of state.range(0) elements, contiguous or transposed: the words of 1 and 2 bytes
    /// of the tiled copy's 8 x 8 blocks, against the contiguous copy (a memcpy) of the same tensor.
    template <class T>
    void to_xarray_same_type(benchmark::State& state, bool transposed)
    {
        const auto shape = square(state.range(0));
        at::Tensor t = (at::arange(state.range(0)) % 100)
                           .to(xtorch::scalar_type_of<T>())
                           .reshape({static_cast<std::int64_t>(shape[0]), static_cast<std::int64_t>(shape[1])});
        if (transposed)
        {
            t = t.t();
        }
        if (!xtorch::to_tensor(xtorch::to_xarray<T>(t)).equal(t))
        {
            state.SkipWithError("to_xarray gave other values than the tensor's");
            return;
        }
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_xarray<T>(t));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 2 * static_cast<std::int64_t>(sizeof(T)));
    }

    void to_xarray_u8(benchmark::State& state)
    {
        to_xarray_same_type<std::uint8_t>(state, false);
    }

    void to_xarray_u8_transposed(benchmark::State& state)
    {
        to_xarray_same_type<std::uint8_t>(state, true);
    }

    void to_xarray_i16(benchmark::State& state)
    {
        to_xarray_same_type<std::int16_t>(state, false);
    }

    void to_xarray_i16_transposed(benchmark::State& state)
    {
        to_xarray_same_type<std::int16_t>(state, true);
    }

    void to_xtensor_f64_to_f32(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_xtensor<float, 1>(t));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void peer_tensor_to_f32(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(t.to(at::kFloat));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void peer_xt_cast_f32(benchmark::State& state)
    {
        const xt::xarray<double> a = ramp(state.range(0));
        for (auto _ : state)
        {
            xt::xarray<float> r = xt::cast<float>(a);
            benchmark::DoNotOptimize(r.data());
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    // ---------- the floor: the same bytes read and written, nothing else ----------

    template <bool fresh>
    void floor_convert_loop(benchmark::State& state)
    {
        const auto n = static_cast<std::size_t>(state.range(0));
        const xt::xarray<double> a = ramp(state.range(0));
        std::unique_ptr<float[]> touched(new float[n]);
        std::memset(touched.get(), 0, n * sizeof(float));
        for (auto _ : state)
        {
            // fresh: new memory every time, as a copy's result is (page faults included)
            std::unique_ptr<float[]> out(fresh ? new float[n] : nullptr);
            float* dst = fresh ? out.get() : touched.get();
            const double* src = a.data();
            for (std::size_t i = 0; i < n; ++i)
            {
                dst[i] = static_cast<float>(src[i]);
            }
            benchmark::DoNotOptimize(dst);
            benchmark::ClobberMemory();
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void floor_convert_into_fresh_memory(benchmark::State& state)
    {
        floor_convert_loop<true>(state);
    }

    void floor_convert_into_touched_memory(benchmark::State& state)
    {
        floor_convert_loop<false>(state);
    }

    void floor_memcpy_f64(benchmark::State& state)
    {
        const auto n = static_cast<std::size_t>(state.range(0));
        const xt::xarray<double> a = ramp(state.range(0));
        std::unique_ptr<double[]> out(new double[n]);
        std::memset(out.get(), 0, n * sizeof(double));
        for (auto _ : state)
        {
            std::memcpy(out.get(), a.data(), n * sizeof(double));
            benchmark::ClobberMemory();
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 16);
    }

    // ---------- same-dtype copies ----------

    void to_tensor_f64(benchmark::State& state)
    {
        const xt::xarray<double> a = ramp(state.range(0));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_tensor(a));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 16);
    }

    void to_xarray_f64(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch::to_xarray<double>(t));
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 16);
    }

    void peer_tensor_clone_f64(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(t.clone());
        }
        state.SetBytesProcessed(state.iterations() * state.range(0) * 16);
    }

    /// The operator through xtorch::kernel: two views made, the expression evaluated into a new tensor.
    void kernel_adaptor(benchmark::State& state)
    {
        const auto kernel = xtorch::kernel(&xtorch_bench::scaled_sum);
        const at::Tensor x = at::rand({state.range(0)});
        const at::Tensor y = at::rand({state.range(0)});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(kernel(x, y, 2.0));
        }
    }

    void peer_kernel_by_hand(benchmark::State& state)
    {
        const at::Tensor x = at::rand({state.range(0)});
        const at::Tensor y = at::rand({state.range(0)});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(xtorch_bench::scaled_sum_by_hand(x, y, 2.0));
        }
    }

    /// An operator as its caller calls it, through torch's dispatcher (what torch.ops.ns.op runs below Python).
    template <class Result>
    void call_operator(benchmark::State& state, const char* name)
    {
        const auto op = c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<Result>();
        const at::Tensor x = at::rand({state.range(0)});
        const at::Tensor y = at::rand({state.range(0)});
        for (auto _ : state)
        {
            benchmark::DoNotOptimize(op.call(x, y, 2.0));
        }
    }

    void op_call_adaptor(benchmark::State& state)
    {
        call_operator<at::Tensor(const at::Tensor&, const at::Tensor&, double)>(state, "xtorch_bench::scaled_sum");
    }

    void peer_op_call_by_hand(benchmark::State& state)
    {
        call_operator<at::Tensor(const at::Tensor&, const at::Tensor&, double)>(state,
                                                                                "xtorch_bench::scaled_sum_by_hand");
    }
}

// An operator kernel through xtorch::kernel against the same kernel written by hand, small inputs: the kernel
// called directly, and the operator called through the dispatcher.
BENCHMARK(kernel_adaptor)->Arg(64)->Arg(small);
BENCHMARK(peer_kernel_by_hand)->Arg(64)->Arg(small);
BENCHMARK(op_call_adaptor)->Arg(64)->Arg(small);
BENCHMARK(peer_op_call_by_hand)->Arg(64)->Arg(small);

// Zero-copy calls at the two sizes of the O(1) target.
BENCHMARK(as_tensor_lvalue)->Arg(small)->Arg(large);
BENCHMARK(peer_from_blob_with_deleter)->Arg(small)->Arg(large);
BENCHMARK(as_xarray)->Arg(small)->Arg(large);
BENCHMARK(peer_xt_adapt_no_ownership)->Arg(small)->Arg(large);
BENCHMARK(as_xtensor_rank1)->Arg(small)->Arg(large);
BENCHMARK(view_copy)->Arg(small);
BENCHMARK(view_move)->Arg(small);
BENCHMARK(peer_tensor_copy)->Arg(small);
BENCHMARK(as_xarray_sliced_writable)->Arg(small);
BENCHMARK(as_xarray_sliced_const)->Arg(small);
BENCHMARK(overlap_check_alone)->Arg(small);
BENCHMARK(as_tensor_of_tensor_view)->Arg(small)->Arg(large);
BENCHMARK(as_tensor_rvalue)->Arg(small)->Arg(large);

// Copies from 2^10 to 2^26 elements, by factors of 4, and 2^25.
// 2^25 is added: the size the targets name.
static void sizes(benchmark::internal::Benchmark* b)
{
    for (int e = 10; e <= 26; e += 2)
    {
        b->Arg(std::int64_t(1) << e);
    }
    b->Arg(std::int64_t(1) << 25);
}
#define XTORCH_SIZES Apply(sizes)->Unit(benchmark::kMillisecond)->UseRealTime()
namespace
{
    /// Runs body with torch's intra-op thread count set to state.range(1), and restores it.
    template <class F>
    void with_threads(benchmark::State& state, F&& body)
    {
        const int before = at::get_num_threads();
        at::set_num_threads(static_cast<int>(state.range(1)));
        body();
        at::set_num_threads(before);
        state.counters["threads"] = static_cast<double>(state.range(1));
        state.SetBytesProcessed(state.iterations() * state.range(0) * 12);
    }

    void threads_to_xarray_f64_to_f32(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        with_threads(state,
                     [&]
                     {
                         for (auto _ : state)
                         {
                             benchmark::DoNotOptimize(xtorch::to_xarray<float>(t));
                         }
                     });
    }

    void threads_to_tensor_f64_to_f32(benchmark::State& state)
    {
        const xt::xarray<double> a = ramp(state.range(0));
        with_threads(state,
                     [&]
                     {
                         for (auto _ : state)
                         {
                             benchmark::DoNotOptimize(xtorch::to_tensor(a, at::kFloat));
                         }
                     });
    }

    void threads_peer_tensor_to_f32(benchmark::State& state)
    {
        const at::Tensor t = xtorch::to_tensor(ramp(state.range(0)));
        with_threads(state,
                     [&]
                     {
                         for (auto _ : state)
                         {
                             benchmark::DoNotOptimize(t.to(at::kFloat));
                         }
                     });
    }

    /// 2^25 elements at 1, 2, 4, ... threads up to the machine's cores; and sizes around the copy grain
    /// (2^14 to 2^20) at 1 thread and at all cores, to place the threshold.
    void thread_counts(benchmark::internal::Benchmark* b)
    {
        const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
        for (int threads = 1; threads < cores; threads *= 2)
        {
            b->Args({std::int64_t(1) << 25, threads});
        }
        b->Args({std::int64_t(1) << 25, cores});
        for (int e = 14; e <= 20; ++e)
        {
            b->Args({std::int64_t(1) << e, 1});
            if (cores > 1)
            {
                b->Args({std::int64_t(1) << e, cores});
            }
        }
        b->UseRealTime();
    }
}

BENCHMARK(threads_to_xarray_f64_to_f32)->Apply(thread_counts);
BENCHMARK(threads_to_tensor_f64_to_f32)->Apply(thread_counts);
BENCHMARK(threads_peer_tensor_to_f32)->Apply(thread_counts);
BENCHMARK(to_tensor_f64_to_f32)->XTORCH_SIZES;
BENCHMARK(to_tensor_f64_to_f32_lazy)->XTORCH_SIZES;
BENCHMARK(to_tensor_f64_to_f32_transposed)->XTORCH_SIZES;
BENCHMARK(to_xarray_f64_to_f32)->XTORCH_SIZES;
BENCHMARK(to_xarray_f64_to_f32_transposed)->XTORCH_SIZES;
// The same at 2^22 from memory (empty_caches): what the copies cost without the L3's help.
BENCHMARK(to_tensor_f64_to_f32_cold)->Arg(1 << 22)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(to_tensor_f64_to_f32_transposed_cold)->Arg(1 << 22)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(to_xarray_f64_to_f32_cold)->Arg(1 << 22)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(to_xarray_f64_to_f32_transposed_cold)->Arg(1 << 22)->Unit(benchmark::kMillisecond)->UseRealTime();
// Words of 1 and 2 bytes through the tiled copy, against their contiguous copies, in cache and past it.
BENCHMARK(to_xarray_u8)->Arg(1 << 16)->Arg(1 << 22);
BENCHMARK(to_xarray_u8_transposed)->Arg(1 << 16)->Arg(1 << 22);
BENCHMARK(to_xarray_i16)->Arg(1 << 16)->Arg(1 << 22);
BENCHMARK(to_xarray_i16_transposed)->Arg(1 << 16)->Arg(1 << 22);
BENCHMARK(to_xtensor_f64_to_f32)->XTORCH_SIZES;
BENCHMARK(peer_tensor_to_f32)->XTORCH_SIZES;
BENCHMARK(peer_xt_cast_f32)->XTORCH_SIZES;
BENCHMARK(floor_convert_into_fresh_memory)->XTORCH_SIZES;
BENCHMARK(floor_convert_into_touched_memory)->XTORCH_SIZES;
BENCHMARK(floor_memcpy_f64)->XTORCH_SIZES;
BENCHMARK(to_tensor_f64)->XTORCH_SIZES;
BENCHMARK(to_xarray_f64)->XTORCH_SIZES;
BENCHMARK(peer_tensor_clone_f64)->XTORCH_SIZES;

int main(int argc, char** argv)
{
    // Ratios are only comparable at the same thread count: record libtorch's.
    benchmark::AddCustomContext("torch_threads", std::to_string(at::get_num_threads()));
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
    {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
