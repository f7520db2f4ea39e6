"""The casters in torch.utils.cpp_extension builds: with <torch/extension.h> after our header (this file's
module) and before it (load_inline, as the README and notebook 03 do). at::Tensor gets torch's caster."""
import os

import numpy as np
import pytest
import torch
from torch.utils import cpp_extension

HERE = os.path.dirname(os.path.abspath(__file__))
INCLUDE = os.path.join(HERE, "..", "..", "include")
BUILD = os.environ.get("XTENSOR_TORCH_EXTENSION_BUILD")
FLAGS = ["-O1"] + (["-std=c++17"] if torch.__version__.startswith("1.") else [])


def build_directory(name):
    if not BUILD:
        return None  # torch's cache
    path = os.path.join(BUILD, name)
    os.makedirs(path, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def ours_first():
    return cpp_extension.load("xtorch_ours_first", [os.path.join(HERE, "cpp_extension_first.cpp")],
                              extra_include_paths=[INCLUDE], extra_cflags=FLAGS,
                              build_directory=build_directory("ours_first"))


@pytest.fixture(scope="module")
def torch_first():
    source = "#include <xtensor-torch/pybind11.hpp>\n" \
             "at::Tensor twice(const at::Tensor& t) { return t * 2; }\n" \
             "void scale(xtorch::xarray_view<float> x, float f) { x *= f; }\n"
    return cpp_extension.load_inline("xtorch_torch_first", cpp_sources=[source], functions=["twice", "scale"],
                                     extra_include_paths=[INCLUDE], extra_cflags=FLAGS,
                                     build_directory=build_directory("torch_first"))


@pytest.mark.parametrize("module", ["ours_first", "torch_first"])
def test_views_are_ours_and_tensors_are_torchs(module, request):
    ext = request.getfixturevalue(module)
    t = torch.ones(4)
    ext.scale(t[::2], 3.0)  # a strided view of the caller's memory
    assert t.tolist() == [3, 1, 3, 1]
    a = np.ones(3, dtype=np.float32)
    ext.scale(a, 2.0)  # numpy arrays too
    assert a.tolist() == [2, 2, 2]
    with pytest.raises(TypeError, match="dtype mismatch"):
        ext.scale(torch.ones(2, dtype=torch.float64), 2.0)
    assert ext.twice(torch.arange(3)).tolist() == [0, 2, 4]
    # torch's caster takes torch.Tensor only; ours would have taken the numpy array.
    with pytest.raises(TypeError, match="incompatible function arguments"):
        ext.twice(np.arange(3))


def test_containers_and_const_views_with_torch_header_after(ours_first):
    r = ours_first.ramp(4)
    assert isinstance(r, torch.Tensor) and r.tolist() == [0, 1, 2, 3]
    a = np.arange(6.0).reshape(2, 3)
    a.setflags(write=False)  # a const view takes read-only arrays
    assert ours_first.total(a.T) == 15.0
