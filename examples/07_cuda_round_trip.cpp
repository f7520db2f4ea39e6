// A CUDA round trip when a GPU is present: host xtensor -> device tensor (cast on the way) -> host.
// expect: (round trip equal: yes|no CUDA device)
#include <iostream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include <xtensor/xio.hpp>

int main()
{
    if (!torch::cuda::is_available())
    {
        std::cout << "no CUDA device: this libtorch has no CUDA support or no GPU is visible; nothing to show.\n";
        return 0;
    }
    xt::xarray<double> a = xt::arange(12.).reshape({3, 4});
    // One host-to-device copy of the float32 values.
    torch::Tensor d = xtorch::to_tensor(a, torch::TensorOptions().device(torch::kCUDA).dtype(torch::kFloat32));
    d.mul_(2);
    // One device-to-host copy into the new container's memory.
    xt::xarray<double> back = xtorch::to_xarray<double>(d.t());
    std::cout << "on " << d.device() << ", doubled and transposed:\n" << back << "\n";
    std::cout << "round trip equal: " << (back == xt::transpose(a * 2.) ? "yes" : "no") << "\n";
    return 0;
}
