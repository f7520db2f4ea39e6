"""The example module xtorch_examples: what the notebooks rely on."""
import numpy as np
import pytest
import torch

import xtorch_examples as xtt


def test_scale_in_place_shares_memory_with_torch_and_numpy():
    t = torch.arange(4, dtype=torch.float32)
    xtt.scale_(t, 2)
    assert t.tolist() == [0, 2, 4, 6]
    a = np.arange(4.0).reshape(2, 2).T  # float64, transposed
    xtt.scale_(a, 10)
    np.testing.assert_array_equal(a, np.arange(4.0).reshape(2, 2).T * 10)


def test_scale_refuses_other_dtypes_and_grad():
    with pytest.raises(TypeError, match=r"found int64, expected float32 or float64"):
        xtt.scale_(torch.arange(3), 2)
    with pytest.raises(ValueError, match=r"^scale_\(x\): can't view a tensor that requires grad.*pass x.detach\(\)"):
        xtt.scale_(torch.ones(2, requires_grad=True), 2)


def test_scale_keeps_float32():
    t = torch.ones(3)
    xtt.scale_(t, 0.5)
    assert t.dtype == torch.float32


def test_to_float32_is_a_cast_copy():
    a = np.linspace(0, 1, 5)
    t = xtt.to_float32(a)
    assert t.dtype == torch.float32
    assert torch.allclose(t, torch.from_numpy(a).float())
    t += 1
    assert a[0] == 0.0
    # Its parameter reads (xarray_view<const double>): other dtypes and lists are converted first, as pybind11's
    # conventions convert a read-only parameter.
    assert xtt.to_float32(torch.ones(2)).tolist() == [1.0, 1.0]
    assert xtt.to_float32([1, 2]).tolist() == [1.0, 2.0]


def test_sine_is_made_by_xtensor():
    t = xtt.sine(9, periods=2)
    assert t.dtype == torch.float64
    np.testing.assert_allclose(t.numpy(), np.sin(np.linspace(0, 4 * np.pi, 9)), atol=1e-12)


def test_make_regression_is_seeded_float32_and_fits():
    x, y = xtt.make_regression(200, weight=3.0, bias=-1.0, noise=0.05, seed=7)
    assert x.dtype == y.dtype == torch.float32
    assert x.shape == y.shape == (200, 1)
    x2, y2 = xtt.make_regression(200, weight=3.0, bias=-1.0, noise=0.05, seed=7)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    w, b = np.polyfit(x.numpy()[:, 0], y.numpy()[:, 0], 1)
    assert abs(w - 3.0) < 0.05 and abs(b + 1.0) < 0.05


def test_residuals_read_predictions_that_require_grad():
    pred = torch.ones(3, requires_grad=True) * 2  # read through views of const elements: no detach needed
    assert xtt.residuals(pred, torch.ones(3)).tolist() == [1, 1, 1]


def test_describe_sees_the_caller_memory():
    a = np.zeros((3, 4), dtype=np.float32)[:, ::2]
    d = xtt.describe(a)
    assert d["dtype"] == "float32"
    assert d["shape"] == [3, 2]
    assert d["strides"] == [4, 2]
    assert d["address"] == a.__array_interface__["data"][0]


def test_module_reports_its_torch():
    assert xtt.built_with_torch.split(".")[:2] == torch.__version__.split(".")[:2]
