// as_tensor of a temporary xtensor_fixed: moving it would copy its elements.
// expect: this temporary holds its elements inline
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(containers, xfixed)

int main()
{
    auto t = xtorch::as_tensor(xt::xtensor_fixed<double, xt::xshape<2>>{1, 2});
    return static_cast<int>(t.numel());
}
