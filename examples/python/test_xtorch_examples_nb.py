"""The nanobind example module xtorch_examples_nb: the same conversions as xtorch_examples, on nanobind. Built
where nanobind is installed (Debian 13 and later); skipped elsewhere."""
import numpy as np
import pytest
import torch

xtn = pytest.importorskip("xtorch_examples_nb", reason="nanobind is not installed: the module was not built")


def test_scale_in_place_shares_memory_with_torch_and_numpy():
    t = torch.arange(4, dtype=torch.float32)
    xtn.scale_(t, 2)
    assert t.tolist() == [0, 2, 4, 6]
    a = np.arange(4.0).reshape(2, 2).T  # float64, transposed
    xtn.scale_(a, 10)
    np.testing.assert_array_equal(a, np.arange(4.0).reshape(2, 2).T * 10)


def test_refusals_name_the_call_and_the_fix():
    with pytest.raises(TypeError, match=r"^scale_\(x\): dtype mismatch \(found a torch.Tensor of dtype int64, expected float32\)"):
        xtn.scale_(torch.arange(3), 2)
    with pytest.raises(ValueError, match=r"can't view a tensor that requires grad"):
        xtn.scale_(torch.ones(2, requires_grad=True), 2)
    # total's parameter is noconvert: a float32 tensor is neither viewed as float64 nor converted, so no overload
    # takes it (nanobind's own TypeError, as pybind11 raises for a noconvert argument).
    with pytest.raises(TypeError, match="incompatible function arguments"):
        xtn.total(torch.ones(3))


def test_results_are_tensors_over_the_containers_memory():
    s = xtn.sine(8, 1.0)
    assert isinstance(s, torch.Tensor) and s.dtype == torch.float64
    np.testing.assert_allclose(s.numpy(), np.sin(np.linspace(0, 2 * np.pi, 8)), atol=1e-12)
    assert xtn.total(np.arange(4.0)) == 6.0


def test_const_views_read_tensors_that_require_grad():
    predicted = torch.ones(3, requires_grad=True)
    r = xtn.residuals(predicted, torch.zeros(3))
    assert r.tolist() == [1.0, 1.0, 1.0]
