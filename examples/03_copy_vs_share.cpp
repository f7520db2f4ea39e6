// torch.tensor(x) copies, torch.from_numpy(x) shares: the same with an int64 array.
// expect: copy \(to_tensor\): Long \[ *1, *2, *3\]
// expect: share \(as_tensor\): Long \[ *100, *2, *3\]
#include <iostream>
#include <sstream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>

namespace
{
    std::string show(const torch::Tensor& t)
    {
        std::ostringstream out;
        out << t.scalar_type() << " [";
        for (int64_t i = 0; i < t.numel(); ++i)
        {
            out << (i ? ", " : " ") << t[i].item<int64_t>();
        }
        out << "]";
        return out.str();
    }
}

int main()
{
    xt::xarray<std::int64_t> x = {1, 2, 3};
    torch::Tensor copied = xtorch::to_tensor(x);  // torch.tensor(x)
    torch::Tensor shared = xtorch::as_tensor(x);  // torch.from_numpy(x)

    x(0) = 100;
    std::cout << "after x(0) = 100:\n";
    std::cout << "  copy (to_tensor): " << show(copied) << "\n";
    std::cout << "  share (as_tensor): " << show(shared) << "\n";
    return 0;
}
