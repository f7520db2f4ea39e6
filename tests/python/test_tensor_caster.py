"""at::Tensor parameters and results (python/tensor_caster.hpp): the caller's tensor itself, numpy arrays
without a copy, None, and python::as_python / as_xarray."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest and the shared helpers)


def test_tensor_parameter_and_return_are_the_same_object():
    t = torch.arange(3.0)
    assert m.identity(t) is t


def test_tensor_parameter_takes_numpy_without_copy():
    a = np.zeros(3, dtype=np.int32)
    assert m.tensor_address(a) == a.__array_interface__["data"][0]
    m.add_one_(a)
    assert a.tolist() == [1, 1, 1]


def test_undefined_tensor_is_none():
    assert m.undefined_tensor() is None


def test_as_python_gives_the_same_object_and_python_as_xarray_refuses_in_python_terms():
    t = torch.arange(4, dtype=torch.float64)
    assert m.as_python(t) is t
    assert m.as_xarray_sum(t) == 6.0
    with pytest.raises(TypeError, match=r"as_xarray_sum\(x\): dtype mismatch \(found a torch.Tensor of dtype float32"):
        m.as_xarray_sum(t.float())


def test_the_casters_work_from_a_second_translation_unit():
    assert m.second_unit_total(np.arange(4.0)) == 6.0
    assert m.second_unit_copy([[1, 2]]).tolist() == [[1.0, 2.0]]


def test_tensor_parameter_takes_a_read_only_array_with_a_warning_as_torch_from_numpy_does():
    a = np.arange(3.0)
    a.setflags(write=False)
    with pytest.warns(UserWarning, match=r"the numpy array is read-only, and torch has no read-only tensors"):
        assert m.tensor_address(a) == a.__array_interface__["data"][0]  # the array's memory, no copy
