"""xarray_view / xtensor_view parameters and results (python/view_caster.hpp): views of tensors, writes seen
by the caller, the view refusals in Python terms, views kept by C++."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest and the shared helpers)


def test_view_of_a_torch_tensor_writes_in_place():
    t = torch.arange(6, dtype=torch.float64)
    m.scale(t, 2.0)
    assert t.tolist() == [0, 2, 4, 6, 8, 10]


@pytest.mark.parametrize("make", [
    lambda: torch.arange(24, dtype=torch.float64).reshape(4, 6).t(),
    lambda: torch.arange(48, dtype=torch.float64).reshape(6, 8)[1::2, 2:7:3],
    lambda: torch.arange(6, dtype=torch.float64).reshape(1, 6).expand(3, 6).clone()[:, ::2],
])
def test_strided_torch_tensors_keep_their_strides(make):
    t = make()
    shape, strides, first = m.describe(t)
    assert shape == tuple(t.shape)
    assert strides_where_size_gt_1(shape, strides) == strides_where_size_gt_1(t.shape, t.stride())
    assert first == address(t)
    expected = t * 7
    m.scale(t, 7.0)
    assert torch.equal(t, expected)


@pytest.mark.parametrize("name", ["scale", "scale_by_ref", "scale_by_rvalue_ref", "scale_by_pointer"])
@pytest.mark.parametrize("make", [
    lambda: torch.arange(24, dtype=torch.float64).reshape(4, 6).t(),
    lambda: np.arange(24.0).reshape(4, 6)[:, ::2],
])
def test_reference_and_pointer_parameters_view_the_same_memory(name, make):
    x = make()
    expected = x * 3
    getattr(m, name)(x, 3.0)
    assert (x == expected).all()
    with pytest.raises(TypeError, match="dtype mismatch"):
        getattr(m, name)(torch.zeros(3, dtype=torch.float32), 1.0)


def test_reference_parameters_of_static_rank_and_const_views():
    t = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    m.scale_2d_by_ref(t, 2.0)
    assert t.tolist() == [[0, 2, 4], [6, 8, 10]]
    with pytest.raises(TypeError):
        m.scale_2d_by_ref(torch.zeros(3, dtype=torch.float64), 1.0)
    frozen = np.arange(4.0)
    frozen.setflags(write=False)
    assert m.total_by_const_ref(frozen) == 6.0
    assert m.total_by_const_ref(t) == 30.0


def test_static_rank_view():
    t = torch.zeros(2, 3, dtype=torch.float64)
    assert m.describe_2d(t)[0] == (2, 3)


@pytest.mark.parametrize("dtype", DTYPES)
def test_every_dtype_from_torch_transposed(dtype):
    t = torch.zeros(3, 2, dtype=getattr(torch, dtype)).t()
    getattr(m, "fill_" + dtype)(t)
    if dtype in WIDE_UNSIGNED:  # torch has few kernels for them: compare through numpy
        np.testing.assert_array_equal(t.numpy(), (np.arange(6).reshape(2, 3) * 10).astype(dtype))
        return
    expected = (torch.arange(6).reshape(2, 3) * 10).to(getattr(torch, dtype))
    assert torch.equal(t, expected)


def test_const_view_reads_a_read_only_array():
    a = np.arange(4, dtype=np.float32)
    a.flags.writeable = False
    assert m.total_const(a) == 6.0


def test_overloads_pick_the_dtype():
    assert m.which(torch.zeros(2)) == "float32"
    assert m.which(np.zeros(2)) == "float64"


@pytest.mark.parametrize("export", [
    lambda t: t.__dlpack__(),             # a capsule: consumed once, by the overload that accepts it
    lambda t: t,                          # the tensor itself
    lambda t: Producer(t),                # a producer: each overload asks it for a capsule of its own
], ids=["capsule", "tensor", "producer"])
def test_overloads_by_dtype_and_rank_take_capsules_as_they_take_tensors(export):
    assert m.which_const(export(torch.arange(4.0, dtype=torch.float64))) == "float64"
    assert m.which_const(export(torch.arange(4.0, dtype=torch.float32))) == "float32"
    assert m.which_rank(export(torch.zeros(2, 3, dtype=torch.float64))) == 2
    assert m.which_rank(export(torch.zeros(3, dtype=torch.float64))) == 1


def test_a_refused_capsule_is_left_unconsumed():
    capsule = torch.arange(4.0, dtype=torch.float64).__dlpack__()
    with pytest.raises(TypeError, match=r"xarray_view<float> parameter: dtype mismatch"):
        m.increment_(capsule)  # a writable view: no conversion, a refusal
    assert m.total64(capsule) == 6.0  # still usable: the refusal did not rename it
    with pytest.raises(ValueError, match="used already"):
        m.total64(capsule)  # consumed by the call that accepted it


@pytest.mark.parametrize("make", [
    lambda: torch.zeros(3).as_strided((2, 3), (0, 1)),     # a zero stride on a dimension of 2
    lambda: torch.zeros(4).expand(3, 4),                   # broadcast
    lambda: torch.zeros(6).as_strided((2, 3), (1, 1)),     # strides that make indices meet
    lambda: torch.zeros(4).as_strided((3, 2), (1, 1)),
], ids=["zero stride", "expand", "interleaved", "interleaved 3x2"])
def test_writable_views_refuse_memory_their_elements_share(make):
    t = make()
    with pytest.raises(ValueError) as e:
        m.increment_(t)
    assert "may refer to a single memory location" in str(e.value) and "x.clone()" in str(e.value)
    assert torch.count_nonzero(t) == 0  # nothing written
    assert m.total_of_const(t) == 0.0  # a const view reads it: reading shared memory is fine
    a = np.lib.stride_tricks.as_strided(np.zeros(3, dtype=np.float32), (2, 3), (0, 4))
    with pytest.raises(ValueError, match="may refer to a single memory location"):
        m.increment_(a)
    assert m.total_of_const(a) == 0.0


@pytest.mark.parametrize("make", [
    lambda: torch.zeros(4, 6)[:, ::2],
    lambda: torch.zeros(3, 4).t(),
    lambda: torch.zeros(2, 3, 4).permute(2, 0, 1)[1:, :, ::2],
    lambda: torch.zeros(5, 1, 3).expand(5, 1, 3),  # a size-1 dimension: no element is shared
    lambda: torch.zeros(0, 3).expand(2, 0, 3),  # no element at all
])
def test_writable_views_take_strides_whose_elements_are_apart(make):
    t = make()
    m.increment_(t)
    assert torch.equal(t, torch.ones_like(t))


@pytest.mark.parametrize("make", [
    lambda: np.arange(4),                                          # another dtype (int64)
    lambda: [0, 1, 2, 3],                                          # a list
    lambda: (0.5, 1.5, 4),                                         # a tuple of numbers
    lambda: torch.arange(4.0, dtype=torch.float64),                # another dtype, a tensor
    lambda: torch.arange(4.0).to_sparse(),                         # another layout: densified
    lambda: torch.tensor([0, 1, 2, 3], dtype=torch.complex64).conj(),  # the conjugate bit, and another dtype
    lambda: torch._neg_view(-torch.arange(4.0)),                   # the negative bit
    lambda: np.arange(4.0, dtype=np.float32)[::-1],                # negative strides
    lambda: np.arange(4.0, dtype=">f4"),                           # byte-swapped
    lambda: np.arange(4.0, dtype=np.float64).__dlpack__(),         # a DLPack capsule of another dtype
], ids=["int64 array", "list", "tuple", "float64 tensor", "sparse", "conjugate", "negative", "reversed",
        "byte-swapped", "capsule"])
def test_a_const_view_reads_a_converted_copy_where_it_cannot_view(make):
    x = make()
    expected = sum(x) if isinstance(x, tuple) else 6.0
    assert m.total_const(x) == expected  # converted in pybind11's second pass, as py::array_t<T> converts
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.total_exact(make())  # noconvert(): a view of the caller's memory or nothing


def test_noconvert_keeps_the_view_exact():
    t = torch.arange(4.0)
    assert m.total_exact(t) == 6.0
    a = np.arange(4.0, dtype=np.float32)
    a.setflags(write=False)
    assert m.total_exact(a) == 6.0  # a read-only array is viewed, not converted


def test_a_converted_copy_lives_as_long_as_the_view():
    held = m.ConstHolder([[1, 2], [3, 4]])  # nested ints: converted to float64, kept by the view
    gc.collect()
    assert held.values().tolist() == [[1.0, 2.0], [3.0, 4.0]]
    t = torch.arange(3.0)  # float32: a view of const double copies it
    held = m.ConstHolder(t)
    t.fill_(7.0)
    assert held.values().tolist() == [0.0, 1.0, 2.0]  # the copy, not the caller's memory


def test_exact_matches_win_over_conversions():
    assert m.which_const(np.zeros(2)) == "float64"          # float64: the second overload, exactly
    assert m.which_const(np.zeros(2, dtype=np.int64)) == "float32"  # converted: the first overload that converts
    assert m.rank_of([[1, 2], [3, 4]]) == 2                  # another rank is the next overload's
    assert m.rank_of([1, 2]) == 1
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.rank_of(np.zeros((2, 2, 2)))                       # no overload of that rank: pybind11's TypeError


def test_writable_views_never_convert():
    with pytest.raises(TypeError, match=r"dtype mismatch \(found a numpy.ndarray of dtype int64"):
        m.scale(np.arange(3), 2.0)
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.scale([1.0, 2.0], 2.0)  # a list is no memory to write into


def test_a_const_view_does_not_convert_what_is_not_its_type_or_is_broken():
    with pytest.raises(TypeError, match="device meta"):
        m.total_const(torch.empty(3, device="meta"))  # another device: a transfer to ask for, not a conversion
    t = torch.ones(4)
    storage = t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()
    storage.resize_(0)
    with pytest.raises(ValueError, match="reach outside its storage"):
        m.total_const(t)  # not read, not even to copy it
    with pytest.raises(TypeError, match="incompatible function arguments"):
        m.total_const(["a", "b"])  # strings are no numbers


def test_refuses_another_dtype_with_type_error():
    with pytest.raises(TypeError) as e:
        m.scale(torch.zeros(3), 1.0)
    assert str(e.value) == (
        "xarray_view<double> parameter: dtype mismatch (found a torch.Tensor of dtype float32, expected float64). "
        "Pass x.to(torch.float64) or a.astype(numpy.float64) (a copy: writes made in C++ are not seen in x).")


def test_refuses_another_device():
    with pytest.raises(TypeError) as e:
        m.scale(torch.empty(3, dtype=torch.float64, device="meta"), 1.0)
    assert ("can't convert meta device type tensor to xtensor (found device meta, expected device cpu). Pass x.cpu()"
            in str(e.value))


def test_refuses_another_rank():
    with pytest.raises(TypeError) as e:
        m.describe_2d(torch.zeros(3, dtype=torch.float64))
    assert "rank mismatch (found rank 1, shape (3,), expected rank 2)" in str(e.value)


def test_requires_grad_is_read_by_const_views_and_written_only_without_autograd():
    t = torch.arange(3, dtype=torch.float64, requires_grad=True)
    assert m.total64(t) == 3.0  # a view of const elements reads it: reading cannot corrupt autograd
    with pytest.raises(ValueError, match=r"requires grad .*Take it as a view of const elements to read it, pass "
                                          r"x\.detach\(\) to write without autograd seeing it, or call under "
                                          r"torch\.no_grad\(\)"):
        m.scale(t, 2.0)
    with torch.no_grad():
        m.scale(t, 2.0)  # as an optimizer's in-place update
    m.scale(t.detach(), 2.0)
    assert t.detach().tolist() == [0.0, 4.0, 8.0]


def test_refuses_conjugate_and_negative_bits():
    z = torch.zeros(2, dtype=torch.complex128)
    with pytest.raises(ValueError, match=r"conjugate bit.*x.resolve_conj\(\)"):
        m.fill_complex128(z.conj())
    with pytest.raises(ValueError, match=r"negative bit.*x.resolve_neg\(\)"):
        m.fill_complex128(torch._neg_view(z))


def test_refuses_a_tensor_whose_storage_was_shrunk():
    """FSDP frees parameters this way: the tensor keeps its sizes over a storage resized to 0 bytes."""
    t = torch.ones(4, dtype=torch.float64)
    storage = t.untyped_storage() if hasattr(t, "untyped_storage") else t.storage()
    storage.resize_(0)
    with pytest.raises(ValueError) as e:
        m.scale(t, 2.0)
    assert ("the tensor's sizes and strides reach outside its storage (found last element at index 3, expected an "
            "index below the storage size 0). Pass a tensor whose storage holds its elements" in str(e.value))
    storage.resize_(4 * 8)
    m.scale(t, 2.0)  # resized back: a view again


def test_refuses_sparse_layout():
    with pytest.raises(TypeError, match=r"Sparse layout, expected strided layout.*x.to_dense\(\)"):
        m.scale(torch.eye(2, dtype=torch.float64).to_sparse(), 1.0)


def test_refuses_negative_strides():
    with pytest.raises(ValueError) as e:
        m.scale(np.arange(3.0)[::-1], 1.0)
    assert "at least one stride in the given numpy array is negative" in str(e.value)
    assert "(found strides (-8,) bytes, expected non-negative strides)" in str(e.value)


def test_a_view_kept_by_cpp_stops_the_tensor_from_moving():
    t = torch.arange(4, dtype=torch.float32)
    m.keep(t)
    try:
        # Without the refusal, the storage moves to new memory, the old block is freed and the kept view
        # reads and writes it (AddressSanitizer reports a heap-use-after-free below).
        with pytest.raises(RuntimeError, match="not resizable"):
            t.resize_(1 << 16)
        # After the refusal torch has already set t's new size (its storage still holds 4 elements), as
        # after t.numpy(): t is read only through the view from here on.
        assert m.kept_total() == 6.0
        m.kept_fill(1.0)
        assert m.kept_total() == 4.0
    finally:
        m.drop_kept()


@pytest.mark.parametrize("call", ["references_by_const_ref", "references_by_ref", "references_by_rvalue_ref",
                                  "references_by_value"])
def test_a_view_parameter_holds_the_tensors_storage_and_lets_it_go(call):
    t = torch.arange(4, dtype=torch.float32)
    before = m.storage_references(t)
    in_call, of_copy = getattr(m, call)(t)
    assert in_call > before  # the view holds the storage itself: it may be copied and kept
    assert of_copy == in_call + 1  # so does a copy made in the call
    for _ in range(100):
        getattr(m, call)(t)
    assert m.storage_references(t) == before  # every reference taken was dropped


@pytest.mark.parametrize("call", ["references_by_const_ref", "references_by_value"])
def test_a_view_of_a_numpy_array_owns_its_new_storage(call):
    in_call, of_copy = getattr(m, call)(np.arange(4, dtype=np.float32))
    if call == "references_by_const_ref":
        assert in_call == 1  # the storage made for the call is the view's alone
    assert of_copy == in_call + 1


def test_a_view_cast_from_a_temporary_tensor_keeps_its_storage():
    total, references = m.read_cast_of_temporary(lambda: torch.arange(4, dtype=torch.float32) + 1)
    assert total == 10.0
    assert references == 1  # the tensor is gone: the view holds the storage alone


def test_a_view_parameter_makes_the_storage_unresizable_as_numpy_does():
    t = torch.zeros(3, dtype=torch.float64)
    t.resize_(8)  # resizable before
    m.scale(t, 2.0)
    with pytest.raises(RuntimeError, match="not resizable"):
        t.resize_(1 << 16)
    u = torch.zeros(3, dtype=torch.float64)
    u.numpy()
    with pytest.raises(RuntimeError, match="not resizable"):
        u.resize_(1 << 16)


def test_returned_view_keeps_the_numpy_array_alive():
    a = np.arange(4, dtype=np.float32)
    alive = weakref.ref(a)
    t = m.view_back(a)
    assert address(t) == a.__array_interface__["data"][0]
    del a
    gc.collect()
    assert alive() is not None
    t.add_(1)
    assert alive().tolist() == [1, 2, 3, 4]
    del t
    gc.collect()
    assert alive() is None


def test_holder_keeps_the_caller_memory_alive():
    a = np.zeros(3, dtype=np.float32)
    alive = weakref.ref(a)
    refs = sys.getrefcount(a)
    h = m.Holder(a)
    assert sys.getrefcount(a) == refs + 1
    del a
    gc.collect()
    assert alive() is not None
    h.fill(2.0)
    assert h.total() == 6.0
    del h
    gc.collect()
    assert alive() is None


def test_numpy_byte_strides_become_element_strides_for_every_item_size():
    for name in ("uint8", "int16", "float32", "float64", "complex128"):
        base = np.arange(24).astype(name)
        for pick in (lambda b: b[::3], lambda b: b.reshape(4, 6)[:, 1::2], lambda b: b.reshape(4, 6)[::2, ::5]):
            a = pick(base)
            assert np.array_equal(np.asarray(getattr(m, "read_exact_" + name)(a)), a), name
            written = np.zeros_like(base)
            getattr(m, "fill_" + name)(pick(written))  # 10 * the flat index, through the strides
            expected = np.zeros_like(base)
            pick(expected)[...] = (10 * np.arange(a.size)).reshape(a.shape)
            assert np.array_equal(written, expected), name
        fill = getattr(m, "fill_" + name)
        with pytest.raises(ValueError, match="negative strides"):
            fill(base[::-2])
        if base.itemsize > 1:
            for step in (base.itemsize + 1, -(base.itemsize + 1)):
                odd = np.lib.stride_tricks.as_strided(base[8:], shape=(3,), strides=(step,))
                with pytest.raises(ValueError, match="not a multiple of the element byte size"):
                    fill(odd)


def test_views_still_refuse_what_they_cannot_share():
    with pytest.raises(ValueError, match="not aligned"):
        m.scale(unaligned(3, np.float64), 2.0)
    with pytest.raises(TypeError):
        m.scale([1.0, 2.0], 2.0)
    with pytest.raises(TypeError):
        m.scale(1.0, 2.0)


def test_views_refuse_python_dispatch_subclasses_as_numpy_does():
    d = torch.Tensor._make_subclass(Dispatching, torch.zeros(3, dtype=torch.float64))
    with pytest.raises(RuntimeError, match="not supported for tensor subclasses"):
        d.numpy()
    with pytest.raises(TypeError, match="views are not supported for tensor subclasses with Python dispatch"):
        m.scale(d, 2.0)


def test_views_refuse_a_zero_tensor():
    z = torch._efficientzerotensor(3, dtype=torch.float64)
    with pytest.raises(ValueError, match=r"can't view a ZeroTensor: it has no memory.*torch.zeros_like\(x\)"):
        m.scale(z, 2.0)


@pytest.mark.skipif(not hasattr(torch, "_lazy_clone"), reason="torch._lazy_clone is torch 2.2+")
def test_a_write_through_a_view_does_not_reach_a_lazy_clone():
    t = torch.arange(4, dtype=torch.float64)
    twin = torch._lazy_clone(t)
    m.scale(t, 2.0)
    assert t.tolist() == [0, 2, 4, 6]
    assert twin.tolist() == [0, 1, 2, 3]
