// Bindings for test_tensor_caster.py: at::Tensor parameters and results, python::as_python and as_xarray.
#include "casters_module.hpp"

namespace casters_test
{
    void bind_tensor_caster(py::module_& m)
    {
        // The caller's tensor itself.
        m.def("identity", [](at::Tensor t) { return t; });
        m.def("as_python", [](const at::Tensor& t) { return as_python(t); });
        m.def("as_xarray_sum", [](const at::Tensor& t)
              { return xt::sum(xtorch::python::as_xarray<const double>(t, "as_xarray_sum(x)"))(); });
        m.def("tensor_address",
              [](const at::Tensor& t) { return reinterpret_cast<std::uintptr_t>(t.data_ptr()); });
        m.def("add_one_", [](at::Tensor t) { t.add_(1); });
        m.def("undefined_tensor", [] { return at::Tensor(); });
    }
}
