// xtensor to torch: a view that shares memory, a float32 copy, and what keeps the view valid.
// expect: as_tensor\(a\): dtype Double, shares memory: yes
// expect: to_tensor\(a, kFloat32\): dtype Float, shares memory: no
// expect: after t\.add_\(1\): a = \{ *2\., *3\.,
// expect: t \+ 1 is a new tensor: shares memory: no
// expect: after xt::noalias\(a\) = a \+ 1: t\[0\] = 3
#include <iostream>

#include <torch/torch.h>
#include <xtensor-torch/xtensor-torch.hpp>
#include XTENSOR_TORCH_XTENSOR_HEADER(io, xio)

int main()
{
    xt::xarray<double> a = xt::arange(1., 10.);  // numpy: np.arange(1., 10.)

    // torch.from_numpy(a): the tensor is a view of a's memory, and keeps float64.
    torch::Tensor t = xtorch::as_tensor(a);
    std::cout << "as_tensor(a): dtype " << t.scalar_type()
              << ", shares memory: " << (t.data_ptr() == a.data() ? "yes" : "no") << "\n";

    // torch.tensor(a, dtype=torch.float32): a copy, cast in one pass.
    torch::Tensor f = xtorch::to_tensor(a, torch::kFloat32);
    std::cout << "to_tensor(a, kFloat32): dtype " << f.scalar_type()
              << ", shares memory: " << (f.data_ptr() == a.data() ? "yes" : "no") << "\n";

    // An in-place change on one side is seen on the other.
    t.add_(1);
    std::cout << "after t.add_(1): a = " << a << "\n";

    // An out-of-place result is new memory.
    torch::Tensor u = t + 1;
    std::cout << "t + 1 is a new tensor: shares memory: " << (u.data_ptr() == a.data() ? "yes" : "no")
              << "\n";

    // The tutorial's `array = array + 1`. In xtensor, `a = a + 1` evaluates into a new buffer and
    // swaps it in: t would dangle. These keep the buffer, and t stays valid:
    xt::noalias(a) = a + 1;  // or: a += 1;
    std::cout << "after xt::noalias(a) = a + 1: t[0] = " << t[0].item<double>() << "\n";
    // If a must be reassigned anyway, make the tensor again afterwards: t = xtorch::as_tensor(a).
    return 0;
}
