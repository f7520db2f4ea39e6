// xtorch_test_stable_ops: the operators of test_ops.cpp built on the LibTorch stable ABI (STABLE_TORCH_LIBRARY,
// TORCH_BOX) with <xtensor-torch/stable.hpp>, which includes no ATen header. Its fake kernels and autograd are
// registered from Python (torch.library.register_fake / register_autograd) by test_ops.py.
#include <xtensor-torch/stable.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)

// A translation unit that included an ATen header would have ATen's configuration macros.
#ifdef AT_PARALLEL_OPENMP
#error "an ATen header was included: a stable-ABI library must include none"
#endif

namespace
{
    using xtorch::stable::xarray_view;

    /// softplus(x) * y, evaluated into a new tensor.
    auto softplus_mul(xarray_view<const double> x, xarray_view<const double> y)
    {
        return xt::log1p(xt::exp(x)) * y;
    }

    /// The backward's two products, as one operator with two results.
    std::tuple<torch::stable::Tensor, torch::stable::Tensor> softplus_mul_backward(xarray_view<const double> grad,
                                                                                   xarray_view<const double> x,
                                                                                   xarray_view<const double> y)
    {
        return {xtorch::stable::to_tensor(grad * y / (1.0 + xt::exp(-x))),
                xtorch::stable::to_tensor(grad * xt::log1p(xt::exp(x)))};
    }

    /// In place: x *= f.
    void scale_(xarray_view<double> x, double f)
    {
        x *= f;
    }

    /// An owning result: the container is moved into the tensor (from_blob with a deleter, torch 2.11+).
    torch::stable::Tensor arange_owned(std::int64_t n)
    {
        xt::xarray<double> a = xt::arange<double>(static_cast<double>(n));
        return xtorch::stable::as_tensor(std::move(a));
    }
}

STABLE_TORCH_LIBRARY(xtorch_test_stable_ops, m)
{
    m.def("softplus_mul(Tensor x, Tensor y) -> Tensor");
    m.def("softplus_mul_backward(Tensor grad, Tensor x, Tensor y) -> (Tensor, Tensor)");
    m.def("scale_(Tensor(a!) x, float f) -> ()");
    m.def("arange_owned(int n) -> Tensor");
}

STABLE_TORCH_LIBRARY_IMPL(xtorch_test_stable_ops, CPU, m)
{
    m.impl("softplus_mul", TORCH_BOX(xtorch::stable::kernel<&softplus_mul>));
    m.impl("softplus_mul_backward", TORCH_BOX(xtorch::stable::kernel<&softplus_mul_backward>));
    m.impl("scale_", TORCH_BOX(xtorch::stable::kernel<&scale_>));
}

// A factory has no tensor argument to dispatch on: its kernel serves every backend.
STABLE_TORCH_LIBRARY_IMPL(xtorch_test_stable_ops, CompositeExplicitAutograd, m)
{
    m.impl("arange_owned", TORCH_BOX(&arange_owned));
}
