// Uses the installed package: a round trip that must land on the same memory.
#include <iostream>

#include <xtensor-torch/xtensor-torch.hpp>

int main()
{
    xt::xarray<double> a = {1, 2, 3};
    at::Tensor t = xtorch::as_tensor(a);
    t.mul_(2);
    auto v = xtorch::as_xarray<double>(t);
    const bool ok = t.data_ptr() == a.data() && v(2) == 6.0 && a(1) == 4.0;
    std::cout << (ok ? "consumer ok" : "consumer FAILED") << std::endl;
    return ok ? 0 : 1;
}
