"""xtensor container parameters and results (python/container_caster.hpp): copied in and cast, moved out,
borrowed under reference_internal with the owner kept alive."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest and the shared helpers)


def test_container_parameter_copies_and_casts():
    t = torch.arange(6, dtype=torch.int64).reshape(2, 3).t()
    out = m.copy_in_float64(t)
    assert out.dtype == torch.float64
    assert torch.equal(out, t.double())
    out += 1
    assert t[0, 0] == 0


def test_container_parameter_is_a_copy():
    a = np.ones(4, dtype=np.float32)
    assert m.copy_in_address(a) != a.__array_interface__["data"][0]


def test_container_parameter_static_rank():
    assert m.copy_in_2d(np.ones((2, 2))).shape == (2, 2)
    with pytest.raises(TypeError, match=r"rank mismatch"):
        m.copy_in_2d(np.ones(3))


def test_returned_container_is_moved_not_copied_and_freed_once():
    gc.collect()
    before = m.frees()
    t = m.make_counted(5)
    assert address(t) == m.last_allocation()
    assert t.tolist() == [0, 1, 2, 3, 4]
    tail = t[1:]
    del t
    gc.collect()
    assert m.frees() == before  # the slice still uses the buffer
    assert tail.tolist() == [1, 2, 3, 4]
    del tail
    gc.collect()
    assert m.frees() == before + 1


def test_returned_xtensor():
    t = m.make_xtensor()
    assert t.dtype == torch.float32
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]


def test_member_returned_by_reference_is_copied_or_borrowed():
    b = m.Box()
    copied = b.copied()
    copied[0] = 100
    assert b.first() == 0
    borrowed = b.borrowed()
    borrowed[0] = 42
    assert b.first() == 42
    del b
    gc.collect()
    assert borrowed.tolist() == [42, 1, 2, 3]  # reference_internal keeps the Box alive


@pytest.mark.parametrize("how", DERIVED)
def test_reference_internal_keeps_the_owner_alive_for_derived_tensors(how):
    gc.collect()
    before = m.frees()
    owner = m.Owner(4)
    v = owner.borrowed()
    assert address(v) == owner.address()
    derived = DERIVED[how](v)
    expected = {"slice": 6.0, "strided slice": 2.0}.get(how, 6.0)
    del v, owner
    gc.collect()
    assert m.frees() == before, "the owner's buffer was freed while a tensor over it exists"
    if how == "dlpack capsule only":
        derived = torch.utils.dlpack.from_dlpack(derived)
    assert m.total64(derived) == expected
    del derived
    gc.collect()
    assert m.frees() == before + 1  # freed once, after the last user


@pytest.mark.parametrize("qtype", [torch.qint8, torch.quint8, torch.qint32])
def test_a_quantized_tensor_is_named_as_torch_names_it(qtype):
    q = torch.quantize_per_tensor(torch.ones(3), 0.1, 0, qtype)
    name = str(qtype).replace("torch.", "")
    with pytest.raises(TypeError) as refused:
        m.scale(q, 2.0)
    message = str(refused.value)
    assert f"of dtype {name}," in message
    assert "x.int_repr()" in message and "x.dequantize()" in message
    assert "x.to(" not in message and "QInt" not in message and "QUInt" not in message


def test_container_signatures_show_their_rank():
    assert "torch.Tensor[float64, ndim=2]" in m.copy_in_2d.__doc__
    assert "torch.Tensor[float64, ndim=3]" in m.copy_in_3d.__doc__
    assert "torch.Tensor[float64]" in m.copy_sum.__doc__
    assert "ndim" not in m.copy_sum.__doc__


def test_copy_parameters_take_what_numpy_asarray_takes():
    assert m.copy_sum(2.5) == 2.5
    assert m.copy_sum(3) == 3.0
    assert m.copy_sum(True) == 1.0
    assert m.copy_sum(np.float32(1.5)) == 1.5
    assert m.copy_sum(np.int16(7)) == 7.0
    assert m.copy_sum([1, 2, 3]) == 6.0
    assert m.copy_sum((0.1, 0.2)) == 0.1 + 0.2  # float64 all the way: no float32 detour
    nested = m.copy_in_2d([[1, 2], [3, 4.5]])
    assert nested.dtype == torch.float64 and nested.tolist() == [[1, 2], [3, 4.5]]
    assert m.copy_in_3d([[[1]], [[2]]]).shape == (2, 1, 1)
    assert m.copy_sum_float32([1.5, 2.5]) == 4.0
    assert m.copy_sum(unaligned(5, np.float64)) == 10.0
    assert m.copy_sum(unaligned(5, np.int32)) == 10.0
    swapped = np.arange(4, dtype=">f8")
    assert m.copy_sum(swapped) == 6.0
    assert m.copy_sum(np.arange(12.0)[::-3]) == 11 + 8 + 5 + 2


def test_copy_parameters_refuse_what_is_not_numbers():
    assert m.overloaded("abc") == "string"
    assert m.overloaded([1.0]) == "array"
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.copy_sum([[1, 2], [3]])  # ragged
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.copy_sum("abc")
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.copy_sum(None)
    with pytest.raises(TypeError, match="rank mismatch"):
        m.copy_in_2d([1.0, 2.0])


def test_fixed_containers_take_exactly_their_shape_and_come_back_as_tensors():
    x = np.arange(6.0).reshape(2, 3)
    r = m.fixed_transpose_plus_2(x)
    assert isinstance(r, torch.Tensor) and torch.equal(r, torch.from_numpy(x.T + 2))
    assert torch.equal(m.fixed_transpose_plus_2(torch.arange(6).reshape(2, 3)), r)  # int64: cast, as copies are
    assert m.fixed_transpose_plus_2([[0, 1, 2], [3, 4, 5]]).tolist() == r.tolist()
    y = np.arange(24.0).reshape(2, 3, 4)
    assert m.fixed_3d_sum(y) == y.sum()
    with pytest.raises(TypeError, match=r"shape mismatch \(found shape \(3, 2\), expected shape \(2, 3\)\)"):
        m.fixed_transpose_plus_2(np.arange(6.0).reshape(3, 2))
    with pytest.raises(TypeError, match="rank mismatch"):
        m.fixed_3d_sum(x)


def test_column_major_containers_get_the_values_in_their_own_order():
    x = np.arange(6.0).reshape(2, 3)
    assert torch.equal(m.column_major_transpose_plus_2(x), torch.from_numpy(x.T + 2))
    assert torch.equal(m.column_major_transpose_plus_2(np.asfortranarray(x)), torch.from_numpy(x.T + 2))
    assert m.column_major_flat(torch.from_numpy(x)) == [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]


def test_reference_internal_without_self_is_refused_by_nanobind_and_borrowed_by_pybind11():
    if BINDING == "nanobind":
        # nanobind has no parent for a free function: the casters refuse rather than return unowned memory.
        with pytest.raises(TypeError, match="needs a self to keep its memory alive"):
            m.global_borrowed_internal()
    else:
        # pybind11's parent of a function without arguments is null: the tensor borrows memory that C++ keeps
        # alive (a static here), as under return_value_policy::reference.
        a = m.global_borrowed_internal()
        b = m.global_borrowed_internal()
        assert a.data_ptr() == b.data_ptr()
        assert a.tolist() == [0.0, 1.0, 2.0]
