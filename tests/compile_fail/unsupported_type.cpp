// A value type without a torch dtype.
// expect: this value type has no torch dtype. Supported: bool
#include <xtensor-torch/xtensor-torch.hpp>

int main()
{
    xt::xarray<long double> a = {
        1, 2};  // no torch dtype on any platform (unsigned int is uint32 from torch 2.3)
    auto t = xtorch::as_tensor(a);
    return static_cast<int>(t.numel());
}
