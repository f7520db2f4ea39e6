// Random seeds: torch::manual_seed(42) twice gives the same numbers, compared through xtensor.
// expect: same seed, same numbers: yes
// expect: no reseed, same numbers: no
#include <iostream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(io, xio)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)

int main()
{
    torch::manual_seed(42);
    xt::xarray<float> first = xtorch::to_xarray<float>(torch::rand({3, 4}));
    torch::manual_seed(42);
    xt::xarray<float> second = xtorch::to_xarray<float>(torch::rand({3, 4}));
    xt::xarray<float> third = xtorch::to_xarray<float>(torch::rand({3, 4}));

    std::cout << "torch::rand({3, 4}) after torch::manual_seed(42):\n" << first << "\n";
    std::cout << "same seed, same numbers: " << (first == second ? "yes" : "no") << "\n";
    std::cout << "no reseed, same numbers: " << (second == third ? "yes" : "no") << "\n";
    return 0;
}
