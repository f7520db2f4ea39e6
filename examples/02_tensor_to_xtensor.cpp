// torch to xtensor: a view over the tensor's memory, in-place and out-of-place changes.
// expect: as_xarray<float>\(torch::ones\(\{7\}\)\): \{ *1\., *1\., *1\., *1\., *1\., *1\., *1\.\}
// expect: after t\.add_\(1\): v = \{ *2\., *2\.,
// expect: after t = t \+ 1: v\(0\) = 2, t\[0\] = 3
// expect: after v\(0\) = 10: t\[0\] = 10
// expect: xt::sum\(v\) = 22
#include <iostream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(io, xio)
#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)

int main()
{
    torch::Tensor t = torch::ones({7});  // float32
    // tensor.numpy(): an xtensor expression over the same memory; it keeps the storage alive.
    xtorch::xarray_view<float> v = xtorch::as_xarray<float>(t);
    std::cout << "as_xarray<float>(torch::ones({7})): " << v << "\n";

    t.add_(1);  // in place: the view sees it
    std::cout << "after t.add_(1): v = " << v << "\n";

    torch::Tensor old = t;
    t = t + 1;  // out of place: t is a new tensor, the view still shows the old memory
    std::cout << "after t = t + 1: v(0) = " << v(0) << ", t[0] = " << t[0].item<float>() << "\n";

    v(0) = 10;  // writes through the view reach the tensor it came from
    std::cout << "after v(0) = 10: t[0] = " << old[0].item<float>() << "\n";
    std::cout << "xt::sum(v) = " << xt::sum(v)() << "\n";
    return 0;
}
