// _torch_bench: the baseline of bench_python.py, a no-op taking torch::Tensor through torch's own
// pybind11 caster (<torch/extension.h>), in a module of its own so that nothing of ours is in the call.
#include <torch/extension.h>

PYBIND11_MODULE(_torch_bench, m)
{
    m.def("noop_tensor", [](const torch::Tensor&) {});
}
