// as_tensor of a lazy expression: nothing to share.
// expect: this expression has no memory to share
#include <xtensor-torch/xtensor-torch.hpp>

int main()
{
    xt::xarray<double> a = {1, 2};
    auto t = xtorch::as_tensor(a + 1);
    return static_cast<int>(t.numel());
}
