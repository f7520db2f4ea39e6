// _torch_bench: the baseline of bench_python.py, a no-op taking torch::Tensor through torch's own
// pybind11 caster (<torch/extension.h>). It cannot share a module with <xtensor-torch/pybind11.hpp>,
// which replaces that caster.
#include <torch/extension.h>

PYBIND11_MODULE(_torch_bench, m)
{
    m.def("noop_tensor", [](const torch::Tensor&) {});
}
