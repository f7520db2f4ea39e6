// A CUDA round trip when a GPU is present: host xtensor -> device tensor (cast on the way) -> host, first
// with the synchronous copies, then asynchronously through pinned memory.
// expect: (round trip equal: yes|no CUDA device)
// expect: (asynchronous round trip equal: yes|no CUDA device)
#include <iostream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(io, xio)

int main()
{
    if (!torch::cuda::is_available())
    {
        std::cout
            << "no CUDA device: this libtorch has no CUDA support or no GPU is visible; nothing to show.\n";
        return 0;
    }
    xt::xarray<double> a = xt::arange(12.).reshape({3, 4});
    // One host-to-device copy of the float32 values.
    torch::Tensor d =
        xtorch::to_tensor(a, torch::TensorOptions().device(torch::kCUDA).dtype(torch::kFloat32));
    d.mul_(2);
    // One device-to-host copy into the new container's memory.
    xt::xarray<double> back = xtorch::to_xarray<double>(d.t());
    std::cout << "on " << d.device() << ", doubled and transposed:\n" << back << "\n";
    std::cout << "round trip equal: " << (back == xt::transpose(a * 2.) ? "yes" : "no") << "\n";

    // Asynchronously: page-locked host memory, filled by xtensor, and transfers that hold their memory
    // until the copy is done and give the result only then.
    auto staging = xtorch::empty_pinned<float>({3, 4});
    xt::noalias(staging) = xt::cast<float>(a);
    auto up = xtorch::to_device_async(staging, torch::Device(torch::kCUDA));
    torch::Tensor on_device = up.get();
    on_device.add_(1);  // queued on the same stream, after the copy
    auto down = xtorch::to_host_async<float>(on_device);
    xtorch::xarray_view<float> result = std::move(down).get();
    std::cout << "asynchronous round trip equal: " << (result == xt::cast<float>(a + 1.) ? "yes" : "no")
              << "\n";
    return 0;
}
