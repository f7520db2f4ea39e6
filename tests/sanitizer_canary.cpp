// Proves that the sanitizer build sees what the lifetime tests rely on it to see: each mode makes
// the mistake on purpose, and CTest requires the sanitizer's report.
#include <cstring>
#include <iostream>

#include <xtensor-torch/xtensor-torch.hpp>

int main(int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "";
    if (std::strcmp(mode, "dangling-borrow") == 0)
    {
        // The documented misuse: a tensor borrowed from an lvalue that dies first.
        at::Tensor t;
        {
            xt::xarray<double> a = {1, 2, 3};
            t = xtorch::as_tensor(a);
        }
        // Read in instrumented code: ASan cannot see reads made inside libtorch's own kernels.
        std::cout << static_cast<const double*>(t.data_ptr())[0] << std::endl;  // heap-use-after-free
    }
    else if (std::strcmp(mode, "leak") == 0)
    {
        auto* leaked = new xt::xarray<double>({1, 2, 3});
        std::cout << (*leaked)(0) << std::endl;
    }
    return 0;
}
