// _nanobind_bench: the same no-op call through nanobind's nb::ndarray caster, the peer to beat for numpy
// arrays (bench_python.py). Built where nanobind is installed (Debian testing packages nanobind-dev).
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>

namespace nb = nanobind;

NB_MODULE(_nanobind_bench, m)
{
    m.def("noop_ndarray", [](nb::ndarray<float, nb::device::cpu>) {});
}
