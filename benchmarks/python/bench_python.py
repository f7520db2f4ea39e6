"""What a call costs from Python: a no-op bound function taking xarray_view<float>, called with a
torch.Tensor, against the same no-op taking torch::Tensor through torch's own caster, against
torch.from_numpy and, where nanobind is installed, the same through our nanobind casters against nanobind's
nb::ndarray<float> caster; and an operator
called through torch.ops whose kernel is an xtensor function through xtorch::kernel, against the same operator
written by hand over data_ptr. All measured in the same run, interleaved, medians of many rounds.

    PYTHONPATH=build/bench/python /usr/bin/python3 benchmarks/python/bench_python.py [results.json]
"""
import json
import statistics
import sys
import time

import numpy as np
import torch

import _torch_bench
import _xtorch_bench

try:
    import _nanobind_bench
except ImportError:  # nanobind is not installed (Debian 12 packages none)
    _nanobind_bench = None

CALLS = 20000
ROUNDS = 41


def per_call_ns(f, arg):
    start = time.perf_counter_ns()
    for _ in range(CALLS):
        f(arg)
    return (time.perf_counter_ns() - start) / CALLS


def per_op_call_ns(op, x):
    start = time.perf_counter_ns()
    for _ in range(CALLS):
        op(x, x, 2.0)
    return (time.perf_counter_ns() - start) / CALLS


def platform_name():
    """"Debian GNU/Linux 12 (bookworm)": the platform the numbers were measured on."""
    try:
        with open("/etc/os-release") as f:
            fields = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
        return fields.get("PRETTY_NAME", "").strip('"')
    except OSError:
        return "unknown"


def main():
    t = torch.ones(1000)
    a = np.ones(1000, dtype=np.float32)
    cases = {
        "torch caster: noop(torch::Tensor) with a tensor": (_torch_bench.noop_tensor, t),
        "ours: noop(xarray_view<float>) with a tensor": (_xtorch_bench.noop_view, t),
        "ours: noop(const xarray_view<float>&) with a tensor": (_xtorch_bench.noop_view_ref, t),
        "ours: noop(xarray_view<float>&&) with a tensor": (_xtorch_bench.noop_view_rref, t),
        "ours: noop(xarray_view<float>) with a numpy array": (_xtorch_bench.noop_view, a),
        "ours: noop(const xarray_view<float>&) with a numpy array": (_xtorch_bench.noop_view_ref, a),
        "ours: noop(at::Tensor) with a tensor": (_xtorch_bench.noop_tensor, t),
        "torch.from_numpy(a)": (torch.from_numpy, a),
        "pybind11 floor: noop(int)": (_xtorch_bench.noop_int, 1),
    }
    if _nanobind_bench is not None:
        cases["nanobind: noop(nb::ndarray<float>) with a numpy array"] = (_nanobind_bench.noop_ndarray, a)
        cases["nanobind: noop(nb::ndarray<float>) with a tensor"] = (_nanobind_bench.noop_ndarray, t)
        cases["ours on nanobind: noop(xarray_view<float>) with a tensor"] = (_nanobind_bench.noop_view, t)
        cases["ours on nanobind: noop(const xarray_view<float>&) with a tensor"] = (_nanobind_bench.noop_view_ref, t)
        cases["ours on nanobind: noop(xarray_view<float>) with a numpy array"] = (_nanobind_bench.noop_view, a)
        cases["ours on nanobind: noop(at::Tensor) with a tensor"] = (_nanobind_bench.noop_tensor, t)
        cases["nanobind floor: noop(int)"] = (_nanobind_bench.noop_int, 1)
    # Operators through torch.ops (importing _xtorch_bench registered them), on 64 float32 elements.
    small = torch.rand(64)
    op_cases = {
        "operator: torch.ops scaled_sum through xtorch::kernel": torch.ops.xtorch_bench.scaled_sum,
        "operator: torch.ops scaled_sum written by hand": torch.ops.xtorch_bench.scaled_sum_by_hand,
    }
    samples = {name: [] for name in list(cases) + list(op_cases)}
    for _ in range(ROUNDS):  # interleaved, so that a slow spell of the machine hits every case alike
        for name, (f, arg) in cases.items():
            samples[name].append(per_call_ns(f, arg))
        for name, op in op_cases.items():
            samples[name].append(per_op_call_ns(op, small))
    medians = {name: statistics.median(s) for name, s in samples.items()}
    view = medians["ours: noop(xarray_view<float>) with a tensor"]
    numpy_view = medians["ours: noop(xarray_view<float>) with a numpy array"]
    ratios = {
        "view / torch caster (limit 1.3)": view / medians["torch caster: noop(torch::Tensor) with a tensor"],
        "view by reference (const&, &&) / torch caster (limit 1.3)": (
            max(medians["ours: noop(const xarray_view<float>&) with a tensor"],
                medians["ours: noop(xarray_view<float>&&) with a tensor"])
            / medians["torch caster: noop(torch::Tensor) with a tensor"]),
        "view / torch.from_numpy (limit 1.0)": view / medians["torch.from_numpy(a)"],
        "numpy view / torch.from_numpy (limit 1.0)": numpy_view / medians["torch.from_numpy(a)"],
        "operator through xtorch::kernel / by hand, 64 elements (limit 1.2)": (
            medians["operator: torch.ops scaled_sum through xtorch::kernel"]
            / medians["operator: torch.ops scaled_sum written by hand"]),
    }
    if _nanobind_bench is not None:
        ratios["numpy view / nanobind numpy (limit 1.0)"] = (
            numpy_view / medians["nanobind: noop(nb::ndarray<float>) with a numpy array"])
        ratios["numpy view by const& / nanobind numpy (limit 1.0)"] = (
            medians["ours: noop(const xarray_view<float>&) with a numpy array"]
            / medians["nanobind: noop(nb::ndarray<float>) with a numpy array"])
        nb_view = medians["ours on nanobind: noop(xarray_view<float>) with a tensor"]
        ratios["nanobind: numpy view / nb::ndarray numpy (limit 1.1)"] = (
            medians["ours on nanobind: noop(xarray_view<float>) with a numpy array"]
            / medians["nanobind: noop(nb::ndarray<float>) with a numpy array"])
        ratios["nanobind: view / nb::ndarray, tensor (limit 0.2)"] = (
            nb_view / medians["nanobind: noop(nb::ndarray<float>) with a tensor"])
        ratios["nanobind view / pybind11 view, tensor (limit 1.0)"] = nb_view / view
    print(f"{'case':66s} {'ns per call':>12s}")
    for name, ns in medians.items():
        print(f"{name:66s} {ns:12.0f}")
    print()
    for name, r in ratios.items():
        limit = float(name.split("limit ")[1].rstrip(")"))
        print(f"{name:66s} {r:12.2f}  {'holds' if r <= limit else 'NOT HELD'}")
    if len(sys.argv) > 1:
        with open(sys.argv[1], "w") as out:
            json.dump({"calls_per_round": CALLS, "rounds": ROUNDS, "median_ns": medians, "ratios": ratios,
                       "torch": torch.__version__, "numpy": np.__version__, "python": sys.version.split()[0],
                       "platform": platform_name()}, out, indent=2)


if __name__ == "__main__":
    main()
