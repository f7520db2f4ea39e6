// xtensor_ops: a torch operator library written with xtensor. Its kernels are plain xtensor functions registered
// with xtorch::kernel; a Meta kernel gives fake tensors (and so torch.compile) the output shape; an autograd
// kernel makes the op differentiable with a backward that is an xtensor operator too. Load it from Python with
// torch.ops.load_library(path) and call torch.ops.xtensor_ops.smooth_relu(x, beta).
#include <torch/autograd.h>
#include <torch/library.h>

#include <xtensor-torch/xtensor-torch.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)

namespace
{
    using xtorch::xarray_view;

    /// softplus with sharpness beta, log(1 + exp(beta x)) / beta, written so that large inputs do not overflow.
    /// The result is lazy, evaluated by xtorch::kernel after this returns: xtensor keeps an lvalue operand by
    /// reference, so the scalar parameter enters it only through values (-beta, 1 / beta), never as `beta`.
    auto smooth_relu(xarray_view<const float> x, float beta)
    {
        return xt::maximum(x, 0.0f) + xt::log1p(xt::exp(-beta * xt::abs(x))) * (1.0f / beta);
    }

    /// Its derivative, sigmoid(beta x), times the incoming gradient.
    auto smooth_relu_backward(xarray_view<const float> grad, xarray_view<const float> x, float beta)
    {
        return grad / (1.0f + xt::exp(-beta * x));
    }

    at::Tensor smooth_relu_meta(const at::Tensor& x, double)
    {
        return at::empty_like(x, at::MemoryFormat::Contiguous);
    }

    at::Tensor smooth_relu_backward_meta(const at::Tensor&, const at::Tensor& x, double)
    {
        return at::empty_like(x, at::MemoryFormat::Contiguous);
    }

    /// The autograd kernel: saves x, runs the forward operator below autograd, and the backward operator later.
    struct smooth_relu_function : torch::autograd::Function<smooth_relu_function>
    {
        static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, double beta)
        {
            at::AutoDispatchBelowADInplaceOrView below;
            ctx->save_for_backward({x});
            ctx->saved_data["beta"] = beta;
            static const auto op = c10::Dispatcher::singleton()
                                       .findSchemaOrThrow("xtensor_ops::smooth_relu", "")
                                       .typed<at::Tensor(const at::Tensor&, double)>();
            return op.call(x, beta);
        }

        static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                       torch::autograd::variable_list grads)
        {
            static const auto op = c10::Dispatcher::singleton()
                                       .findSchemaOrThrow("xtensor_ops::smooth_relu_backward", "")
                                       .typed<at::Tensor(const at::Tensor&, const at::Tensor&, double)>();
            const at::Tensor dx =
                op.call(grads[0], ctx->get_saved_variables()[0], ctx->saved_data["beta"].toDouble());
            return {dx, at::Tensor()};  // beta gets no gradient
        }
    };

    at::Tensor smooth_relu_autograd(const at::Tensor& x, double beta)
    {
        return smooth_relu_function::apply(x, beta);
    }
}

TORCH_LIBRARY(xtensor_ops, m)
{
    m.def("smooth_relu(Tensor x, float beta) -> Tensor");
    m.def("smooth_relu_backward(Tensor grad, Tensor x, float beta) -> Tensor");
}

TORCH_LIBRARY_IMPL(xtensor_ops, CPU, m)
{
    m.impl("smooth_relu", xtorch::kernel(&smooth_relu));
    m.impl("smooth_relu_backward", xtorch::kernel(&smooth_relu_backward));
}

TORCH_LIBRARY_IMPL(xtensor_ops, Meta, m)
{
    m.impl("smooth_relu", &smooth_relu_meta);
    m.impl("smooth_relu_backward", &smooth_relu_backward_meta);
}

TORCH_LIBRARY_IMPL(xtensor_ops, Autograd, m)
{
    m.impl("smooth_relu", &smooth_relu_autograd);
}
