// A binding whose view parameter has a value type without a torch dtype: the casters stop with the list of the
// supported types, not an incomplete type of their own.
// expect: this value type has no torch dtype. Supported: bool
#include <xtensor-torch/pybind11.hpp>

PYBIND11_MODULE(unsupported_caster_type, m)
{
    m.def("total", [](xtorch::xarray_view<const long double> x) { return static_cast<double>(xt::sum(x)()); });
}
