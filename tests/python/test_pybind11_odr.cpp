// A second translation unit of the _xtorch_test module that includes every header of the casters again: a
// header that defines something twice (a missing `inline`) fails the module's link.
// It is compiled apart from the unity batch of the others.
#include "casters_module.hpp"

namespace casters_test
{
    void bind_second_translation_unit(py::module_& m)
    {
        m.def("second_unit_total", [](xtorch::xarray_view<const double> v) { return xt::sum(v)(); });
        m.def("second_unit_copy", [](xt::xtensor<float, 2> a) { return a; });
    }
}
