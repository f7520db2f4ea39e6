// One element-wise operator, `xtorch_bench::scaled_sum(x, y, f) = (x + y) * f` on float32, registered twice: through
// xtorch::kernel from an xtensor function, and as the kernel a user would write by hand over data_ptr. The C++
// benchmarks and the Python call benchmark compare the two (included once per program: it registers the operators).
#ifndef XTENSOR_TORCH_BENCHMARKS_SCALED_SUM_OPS_HPP
#define XTENSOR_TORCH_BENCHMARKS_SCALED_SUM_OPS_HPP

#include <cstdint>

#include <torch/library.h>
#include <xtensor-torch/kernel.hpp>

namespace xtorch_bench
{
    /// The operator as an xtensor function, for xtorch::kernel: two views in, a lazy expression out.
    inline auto scaled_sum(xtorch::xarray_view<const float> x, xtorch::xarray_view<const float> y, double f)
    {
        return (x + y) * static_cast<float>(f);
    }

    /// The same operator written by hand over data_ptr, with the checks such a kernel needs.
    inline at::Tensor scaled_sum_by_hand(const at::Tensor& x, const at::Tensor& y, double f)
    {
        TORCH_CHECK(x.scalar_type() == at::kFloat && y.scalar_type() == at::kFloat, "float32 expected");
        TORCH_CHECK(x.is_contiguous() && y.is_contiguous() && x.sizes() == y.sizes(), "same contiguous shape");
        at::Tensor out = at::empty(x.sizes(), x.options());
        const float* a = x.data_ptr<float>();
        const float* b = y.data_ptr<float>();
        float* o = out.data_ptr<float>();
        const auto factor = static_cast<float>(f);
        for (std::int64_t i = 0; i < x.numel(); ++i)
        {
            o[i] = (a[i] + b[i]) * factor;
        }
        return out;
    }
}

TORCH_LIBRARY(xtorch_bench, m)
{
    m.def("scaled_sum(Tensor x, Tensor y, float f) -> Tensor");
    m.def("scaled_sum_by_hand(Tensor x, Tensor y, float f) -> Tensor");
}

TORCH_LIBRARY_IMPL(xtorch_bench, CPU, m)
{
    m.impl("scaled_sum", xtorch::kernel(&xtorch_bench::scaled_sum));
    m.impl("scaled_sum_by_hand", &xtorch_bench::scaled_sum_by_hand);
}

#endif
