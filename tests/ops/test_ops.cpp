// xtorch_test_ops: an operator library whose CPU kernels are xtensor functions registered with xtorch::kernel,
// with Meta kernels (shapes only, for fake tensors and torch.compile) and an autograd kernel whose backward is an
// xtensor operator too. Loaded by test_ops.py with torch.ops.load_library.
#include <torch/autograd.h>
#include <torch/library.h>

#include <xtensor-torch/xtensor-torch.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)

namespace
{
    using xtorch::xarray_view;

    /// softplus(x) * y, evaluated by the adaptor into a new tensor.
    auto softplus_mul(xarray_view<const double> x, xarray_view<const double> y)
    {
        return xt::log1p(xt::exp(x)) * y;
    }

    /// d/dx = grad * y * sigmoid(x), d/dy = grad * softplus(x), in the broadcast shape (the autograd kernel sums
    /// them back to each input's).
    std::tuple<xt::xarray<double>, xt::xarray<double>> softplus_mul_backward(xarray_view<const double> grad,
                                                                             xarray_view<const double> x,
                                                                             xarray_view<const double> y)
    {
        xt::xarray<double> dx = grad * y / (1.0 + xt::exp(-x));
        xt::xarray<double> dy = grad * xt::log1p(xt::exp(x));
        return {std::move(dx), std::move(dy)};
    }

    /// In place: x *= f.
    void scale_(xarray_view<double> x, double f)
    {
        x *= f;
    }

    // Meta kernels: what fake tensors and torch.compile see, shapes only.
    at::Tensor softplus_mul_meta(const at::Tensor& x, const at::Tensor& y)
    {
        return at::empty(at::infer_size(x.sizes(), y.sizes()), x.options());  // xtensor broadcasts as torch does
    }

    std::tuple<at::Tensor, at::Tensor> softplus_mul_backward_meta(const at::Tensor&, const at::Tensor& x,
                                                                  const at::Tensor& y)
    {
        const auto shape = at::infer_size(x.sizes(), y.sizes());
        return {at::empty(shape, x.options()), at::empty(shape, y.options())};
    }

    void scale_meta(const at::Tensor&, double)
    {
    }

    template <class Signature>
    c10::TypedOperatorHandle<Signature> op(const char* name)
    {
        return c10::Dispatcher::singleton().findSchemaOrThrow(name, "").typed<Signature>();
    }

    /// softplus_mul's autograd: the forward and backward are the xtensor operators, called below autograd.
    struct softplus_mul_function : torch::autograd::Function<softplus_mul_function>
    {
        static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x,
                                  const at::Tensor& y)
        {
            at::AutoDispatchBelowADInplaceOrView below;
            ctx->save_for_backward({x, y});
            static const auto forward_op =
                op<at::Tensor(const at::Tensor&, const at::Tensor&)>("xtorch_test_ops::softplus_mul");
            return forward_op.call(x, y);
        }

        static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                       torch::autograd::variable_list grads)
        {
            const auto saved = ctx->get_saved_variables();
            static const auto backward_op = op<std::tuple<at::Tensor, at::Tensor>(
                const at::Tensor&, const at::Tensor&, const at::Tensor&)>(
                "xtorch_test_ops::softplus_mul_backward");
            auto [dx, dy] = backward_op.call(grads[0], saved[0], saved[1]);
            return {dx.sum_to_size(saved[0].sizes()), dy.sum_to_size(saved[1].sizes())};
        }
    };

    at::Tensor softplus_mul_autograd(const at::Tensor& x, const at::Tensor& y)
    {
        return softplus_mul_function::apply(x, y);
    }
}

TORCH_LIBRARY(xtorch_test_ops, m)
{
    m.def("softplus_mul(Tensor x, Tensor y) -> Tensor");
    m.def("softplus_mul_backward(Tensor grad, Tensor x, Tensor y) -> (Tensor, Tensor)");
    m.def("scale_(Tensor(a!) x, float f) -> ()");
}

TORCH_LIBRARY_IMPL(xtorch_test_ops, CPU, m)
{
    m.impl("softplus_mul", xtorch::kernel(&softplus_mul));
    m.impl("softplus_mul_backward", xtorch::kernel(&softplus_mul_backward));
    m.impl("scale_", xtorch::kernel(&scale_));
}

TORCH_LIBRARY_IMPL(xtorch_test_ops, Meta, m)
{
    m.impl("softplus_mul", &softplus_mul_meta);
    m.impl("softplus_mul_backward", &softplus_mul_backward_meta);
    m.impl("scale_", &scale_meta);
}

TORCH_LIBRARY_IMPL(xtorch_test_ops, Autograd, m)
{
    m.impl("softplus_mul", &softplus_mul_autograd);
}
