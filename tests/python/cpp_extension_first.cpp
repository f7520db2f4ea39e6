// A torch.utils.cpp_extension module that includes xtensor-torch's casters BEFORE <torch/extension.h>
// (load_inline puts torch's header first; test_cpp_extension.py checks that order through the notebook's
// recipe). at::Tensor must get torch's caster, the views ours.
#include <xtensor-torch/pybind11.hpp>

#include <torch/extension.h>

namespace
{
    void scale(xtorch::xarray_view<float> x, float factor)
    {
        x *= factor;
    }

    double total(xtorch::xtensor_view<const double, 2> x)
    {
        return xt::sum(x)();
    }

    xt::xarray<double> ramp(std::int64_t n)
    {
        return xt::arange<double>(static_cast<double>(n));
    }

    at::Tensor twice(const at::Tensor& t)
    {
        return t * 2;
    }
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m)
{
    m.def("scale", &scale);
    m.def("total", &total);
    m.def("ramp", &ramp);
    m.def("twice", &twice);
}
