// Autograd basics: y = w * x + b, backward(), gradients read into xtensor.
// expect: y = 7
// expect: dy/dw = \{ *3\.\}
// expect: dy/db = \{ *1\.\}
// expect: x\.grad\(\) defined: no
// expect: w read through a const view: \{ *2\.\}
// expect: as_xarray<float>\(w\) refused: .*requires grad
// expect: w after one step: \{ *0\.5\}
#include <iostream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(io, xio)

int main()
{
    torch::Tensor x = torch::tensor({3.0});  // data: no gradient wanted
    torch::Tensor w = torch::tensor({2.0}, torch::requires_grad());
    torch::Tensor b = torch::tensor({1.0}, torch::requires_grad());

    torch::Tensor y = w * x + b;
    y.backward();
    std::cout << "y = " << y.item<float>() << "\n";

    // Gradients are plain tensors (no grad of their own), so they can be viewed without a copy.
    std::cout << "dy/dw = " << xtorch::as_xarray<float>(w.grad()) << "\n";
    std::cout << "dy/db = " << xtorch::as_xarray<float>(b.grad()) << "\n";

    // x does not require grad, so autograd kept nothing for it.
    std::cout << "x.grad() defined: " << (x.grad().defined() ? "yes" : "no") << "\n";

    // w requires grad. A view of const elements reads it: reading cannot corrupt autograd.
    std::cout << "w read through a const view: " << xtorch::as_xarray<const float>(w) << "\n";
    // A writable view is refused while autograd records: it would not see the writes.
    try
    {
        xtorch::as_xarray<float>(w);
    }
    catch (const xtorch::conversion_error& e)
    {
        std::cout << "as_xarray<float>(w) refused: " << e.what() << "\n";
    }
    // Under no_grad it is allowed, as an optimizer's in-place update is: one step of gradient descent.
    {
        torch::NoGradGuard no_grad;
        auto weights = xtorch::as_xarray<float>(w);
        weights -= 0.5f * xtorch::as_xarray<const float>(w.grad());
    }
    std::cout << "w after one step: " << xtorch::as_xarray<const float>(w) << "\n";
    return 0;
}
