// Hardening: conversions from many threads, memory released exactly once and staying flat, and limits
// (byte counts that overflow, ranks, strides outside the storage) refused instead of misread.
#include <fstream>
#include <limits>
#include <thread>
#include <unistd.h>

#include "test_common.hpp"

using namespace xtorch_test;

namespace
{
    /// Resident memory of this process in bytes, from /proc/self/statm.
    std::size_t resident_bytes()
    {
        std::ifstream statm("/proc/self/statm");
        std::size_t pages = 0, resident = 0;
        statm >> pages >> resident;
        return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    }

    constexpr int thread_count = 8;
}

TEST_CASE("threads: the same tensor converted from several threads at once", "[threads]")
{
    const at::Tensor t = at::arange(64 * 64, at::kFloat).reshape({64, 64}).t();
    const float expected = t.sum().item<float>();
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int k = 0; k < thread_count; ++k)
    {
        threads.emplace_back(
            [&]
            {
                for (int i = 0; i < 200; ++i)
                {
                    auto v = xtorch::as_xarray<float>(t);
                    xt::xarray<double> c = xtorch::to_xarray<double>(t);
                    at::Tensor back = xtorch::as_tensor(v);
                    if (xt::sum(v)() != expected || xt::sum(c)() != expected || !back.is_alias_of(t))
                    {
                        ++wrong;
                    }
                }
            });
    }
    for (auto& th : threads)
    {
        th.join();
    }
    REQUIRE(wrong == 0);
}

TEST_CASE("threads: views made in one thread and dropped in another", "[threads][lifetime]")
{
    frees() = 0;
    std::vector<xtorch::xarray_view<float>> views;
    std::thread maker(
        [&]
        {
            for (int i = 0; i < 100; ++i)
            {
                at::Tensor t = counted_tensor(16);  // the tensor dies at the end of each iteration
                views.push_back(xtorch::as_xarray<float>(t));
            }
        });
    maker.join();
    REQUIRE(frees() == 0);  // every view still holds its storage
    std::thread dropper(
        [&]
        {
            float sum = 0;
            for (const auto& v : views)
            {
                sum += v(15);
            }
            REQUIRE(sum == 1500.f);
            views.clear();
        });
    dropper.join();
    REQUIRE(frees() == 100);
}

TEST_CASE("threads: owning conversions in a loop free every buffer exactly once", "[threads][lifetime]")
{
    frees() = 0;
    std::vector<std::thread> threads;
    for (int k = 0; k < thread_count; ++k)
    {
        threads.emplace_back(
            []
            {
                for (int i = 0; i < 500; ++i)
                {
                    counted_xarray a = counted_xarray::from_shape({8});
                    a.fill(1.0);
                    at::Tensor t = xtorch::as_tensor(std::move(a));
                    auto v = xtorch::as_xarray<double>(t);  // a second owner of the same storage
                    t.reset();
                    v(0) = 2.0;
                }
            });
    }
    for (auto& th : threads)
    {
        th.join();
    }
    REQUIRE(frees() == thread_count * 500);
}

TEST_CASE("leaks: memory stays flat over a million conversions", "[leaks]")
{
    // Warm up allocator pools first, then require no growth beyond noise.
    auto round = [](int n)
    {
        at::Tensor t = at::ones({4, 4});
        for (int i = 0; i < n; ++i)
        {
            xt::xarray<float> a = xt::xarray<float>::from_shape({4});
            at::Tensor owned = xtorch::as_tensor(std::move(a));  // owning move
            auto v = xtorch::as_xarray<float>(t);                // view holding the storage
            at::Tensor shared = xtorch::as_tensor(v);            // shared storage
            (void)owned;
            (void)shared;
        }
    };
#if defined(__SANITIZE_ADDRESS__)
    // ASan's quarantine keeps freed memory resident on purpose, so resident size says nothing here;
    // LeakSanitizer checks this build for leaks at exit instead, and the release build checks flatness.
    WARN("resident-size flatness is checked in the release build; under ASan, LeakSanitizer checks leaks");
    round(10000);
    return;
#endif
    round(10000);
    const std::size_t before = resident_bytes();
    round(1000000);
    const std::size_t after = resident_bytes();
    INFO("resident before " << before << " after " << after);
    REQUIRE(after < before + (8u << 20));  // a leak of even 8 bytes per conversion would show
}

TEST_CASE("limits: byte counts that overflow are refused, not wrapped", "[limits][refusal]")
{
    SECTION("to_xarray of an expanded tensor too large to copy")
    {
        at::Tensor huge = at::zeros({1}).expand({std::int64_t(1) << 31, std::int64_t(1) << 31});
        const std::string msg = refusal([&] { xtorch::to_xarray<double>(huge); });
        REQUIRE_THAT(msg, text::Contains("xtorch::to_xarray<double>: the copy would not fit in memory"));
        REQUIRE_THAT(msg, text::Contains("4611686018427387904 elements"));
    }
    SECTION("as_tensor of a strided view spanning more bytes than a tensor can address")
    {
        xt::xarray<double> a = {1, 2};
        const std::size_t n = std::size_t(1) << 61;
        auto wide = xt::strided_view(a, std::vector<std::size_t>{n}, std::vector<std::ptrdiff_t>{4}, 0,
                                     xt::layout_type::dynamic);
        const std::string msg = refusal([&] { xtorch::as_tensor(wide); });
        REQUIRE_THAT(msg, text::Contains("sizes and strides span more bytes than a tensor can address"));
    }
    SECTION("an expanded view of huge logical size is fine: its span is one element")
    {
        xt::xarray<double> a = {7};
        auto rep = xt::strided_view(a, std::vector<std::size_t>{std::size_t(1) << 40},
                                    std::vector<std::ptrdiff_t>{0}, 0, xt::layout_type::dynamic);
        at::Tensor t = xtorch::as_tensor(rep);
        REQUIRE(t.numel() == std::int64_t(1) << 40);
        REQUIRE(t[12345].item<double>() == 7.0);
    }
    SECTION("ranks beyond the static rank of the view type")
    {
        at::Tensor t = at::zeros(std::vector<std::int64_t>(9, 1));
        REQUIRE_THAT(refusal([&] { xtorch::as_xtensor<float, 8>(t); }), text::Contains("rank mismatch"));
        REQUIRE(xtorch::as_xarray<float>(t).dimension() == 9);  // the dynamic rank holds any
    }
}
