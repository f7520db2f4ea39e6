// _xtorch_bench: no-op functions through the casters of <xtensor-torch/pybind11.hpp>, to measure
// what a call costs (bench_python.py). _torch_bench is the same through torch's own caster. Importing it also
// registers the operators xtorch_bench::scaled_sum (through xtorch::kernel) and scaled_sum_by_hand.
#include <xtensor-torch/pybind11.hpp>

#include "../scaled_sum_ops.hpp"

PYBIND11_MODULE(_xtorch_bench, m)
{
    xtorch::python::import_torch();
    m.def("noop_view", [](xtorch::xarray_view<float>) {});
    m.def("noop_view_ref", [](const xtorch::xarray_view<float>&) {});
    // A writable view taken by rvalue reference: pybind11 3 passes a by-value parameter on by value twice, and
    // a strided view has no move constructor, so each pass copies it; a reference is passed on as it is.
    m.def("noop_view_rref", [](xtorch::xarray_view<float>&&) {});
    m.def("noop_tensor", [](const at::Tensor&) {});
    m.def("noop_int", [](int) {});  // pybind11's own floor: a call with no array at all
}
