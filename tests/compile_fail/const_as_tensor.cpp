// as_tensor of a const container: torch has no read-only tensors.
// expect: the expression is const, and torch has no read-only tensors
#include <xtensor-torch/xtensor-torch.hpp>

int main()
{
    const xt::xarray<double> a = {1, 2};
    auto t = xtorch::as_tensor(a);
    return static_cast<int>(t.numel());
}
