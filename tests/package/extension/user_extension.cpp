// A user's extension: <torch/extension.h> for torch's own bindings, <xtensor-torch/pybind11.hpp> for the casters.
#include <torch/extension.h>
#include <xtensor-torch/pybind11.hpp>

#include XTENSOR_TORCH_XTENSOR_HEADER(core, xmath)  // xtensor 0.26+ keeps its headers in folders

namespace
{
    void scale_(xtorch::xarray_view<float> x, float f)
    {
        x *= f;  // the caller's memory, no copy
    }

    double total(xtorch::xarray_view<const double> x)
    {
        return xt::sum(x)();
    }

    xt::xarray<double> ramp(std::int64_t n)
    {
        return xt::arange<double>(static_cast<double>(n));  // moved into the tensor returned
    }
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m)
{
    m.def("scale_", &scale_);
    m.def("total", &total);
    m.def("ramp", &ramp);
}
