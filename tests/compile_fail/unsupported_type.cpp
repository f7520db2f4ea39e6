// A value type without a torch dtype.
// expect: this value type has no torch dtype. Supported: bool
#include <xtensor-torch/xtensor-torch.hpp>

int main()
{
    xt::xarray<unsigned int> a = {1, 2};
    auto t = xtorch::as_tensor(a);
    return static_cast<int>(t.numel());
}
