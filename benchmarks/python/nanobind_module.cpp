// _nanobind_bench: no-op functions through the casters of <xtensor-torch/nanobind.hpp> and through nanobind's own
// nb::ndarray caster, the peer for numpy arrays (bench_python.py). Built where nanobind is installed (Debian 13 and
// testing package nanobind-dev).
#include <nanobind/ndarray.h>
#include <xtensor-torch/nanobind.hpp>

namespace nb = nanobind;

NB_MODULE(_nanobind_bench, m)
{
    xtorch::python::import_torch(m);
    m.def("noop_ndarray", [](nb::ndarray<float, nb::device::cpu>) {});
    m.def("noop_view", [](xtorch::xarray_view<float>) {});
    m.def("noop_view_ref", [](const xtorch::xarray_view<float>&) {});
    m.def("noop_tensor", [](const at::Tensor&) {});
    m.def("noop_int", [](int) {});  // nanobind's own floor: a call with no array at all
}
