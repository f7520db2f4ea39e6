"""The pybind11 casters of <xtensor-torch/pybind11.hpp>, through the _xtorch_test module."""
import gc
import sys
import weakref

import numpy as np
import pytest
import torch
import torch.utils.dlpack

import _xtorch_test as m

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
          "complex64", "complex128", "bfloat16"]
# torch 2.3+ has the wide unsigned dtypes, and the casters map them where it does.
WIDE_UNSIGNED = ["uint16", "uint32", "uint64"] if hasattr(torch, "uint64") else []
DTYPES += WIDE_UNSIGNED


def address(t):
    """The address of the first element of a tensor."""
    return t.data_ptr()


def strides_where_size_gt_1(shape, strides):
    # xtensor gives size-1 dimensions stride 0 and torch any stride: compare the others only.
    return [s for n, s in zip(shape, strides) if n > 1]


class Producer:
    """An object that is neither a tensor nor an ndarray, with the DLPack protocol."""

    def __init__(self, array):
        self.array = array

    def __dlpack__(self, stream=None):
        return self.array.__dlpack__()

    def __dlpack_device__(self):
        return self.array.__dlpack_device__()


class ForwardingProducer(Producer):
    """The DLPack protocol of `array` with the arguments the consumer asks for (DLPack 1.x: max_version,
    copy), recorded in `asked`."""

    def __init__(self, array):
        super().__init__(array)
        self.asked = []

    def __dlpack__(self, **kwargs):
        self.asked.append(kwargs)
        return self.array.__dlpack__(**kwargs)


def exports_versioned(array):
    """Whether array.__dlpack__ takes DLPack 1.x's max_version (numpy 2.1+, torch 2.9+)."""
    try:
        array.__dlpack__(max_version=(1, 0))
        return True
    except TypeError:
        return False


NUMPY_VERSIONED = exports_versioned(np.zeros(1))
TORCH_VERSIONED = exports_versioned(torch.zeros(1))


# --- views: no copy, writes seen by the caller --------------------------------------------------

def test_view_of_a_torch_tensor_writes_in_place():
    t = torch.arange(6, dtype=torch.float64)
    m.scale(t, 2.0)
    assert t.tolist() == [0, 2, 4, 6, 8, 10]


def test_view_of_a_numpy_array_writes_in_place():
    a = np.arange(6.0)
    m.scale(a, 3.0)
    assert a.tolist() == [0, 3, 6, 9, 12, 15]


def test_view_of_a_dlpack_producer_writes_in_place():
    a = np.arange(4.0)
    m.scale(Producer(a), -1.0)
    assert a.tolist() == [0, -1, -2, -3]


def test_view_of_a_dlpack_capsule_writes_in_place():
    t = torch.ones(3, dtype=torch.float64)
    m.scale(torch.utils.dlpack.to_dlpack(t), 5.0)
    assert t.tolist() == [5, 5, 5]


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


@pytest.mark.parametrize("make", [
    lambda: np.arange(24.0).reshape(4, 6).T,
    lambda: np.arange(48.0).reshape(6, 8)[1::2, 2:7:3],
    lambda: np.asfortranarray(np.arange(12.0).reshape(3, 4)),
])
def test_strided_numpy_arrays_keep_their_strides(make):
    a = make()
    shape, strides, first = m.describe(a)
    assert shape == a.shape
    assert strides_where_size_gt_1(shape, strides) == strides_where_size_gt_1(
        a.shape, [s // a.itemsize for s in a.strides])
    assert first == a.__array_interface__["data"][0]
    expected = a * 7
    m.scale(a, 7.0)
    np.testing.assert_array_equal(a, expected)


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


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bfloat16"])
def test_every_dtype_from_numpy_transposed(dtype):
    a = np.zeros((3, 2), dtype=dtype).T
    getattr(m, "fill_" + dtype)(a)
    expected = (np.arange(6).reshape(2, 3) * 10).astype(dtype)
    np.testing.assert_array_equal(a, expected)


def test_const_view_reads_a_read_only_array():
    a = np.arange(4, dtype=np.float32)
    a.flags.writeable = False
    assert m.total_const(a) == 6.0


def test_overloads_pick_the_dtype():
    assert m.which(torch.zeros(2)) == "float32"
    assert m.which(np.zeros(2)) == "float64"


# --- refusals -----------------------------------------------------------------------------------

def test_refuses_another_dtype_with_type_error():
    with pytest.raises(TypeError) as e:
        m.scale(torch.zeros(3), 1.0)
    assert str(e.value) == (
        "xarray_view<double> parameter: dtype mismatch (found a torch.Tensor of dtype float32, expected float64). "
        "Pass x.to(torch.float64) or a.astype(numpy.float64) (a copy: writes made in C++ are not seen in x).")


def test_refuses_numpy_of_another_dtype():
    with pytest.raises(TypeError, match=r"found a numpy.ndarray of dtype int64, expected float64"):
        m.scale(np.arange(3), 1.0)


def test_refuses_numpy_dtypes_torch_lacks():
    with pytest.raises(TypeError, match=r"found numpy.float128, expected bool, uint8"):
        m.scale(np.zeros(3, dtype=np.longdouble), 1.0)  # x86-64's 80-bit long double
    if not WIDE_UNSIGNED:
        with pytest.raises(TypeError, match=r"found numpy.uint16, expected bool, uint8"):
            m.scale(np.zeros(3, dtype=np.uint16), 1.0)


def test_refuses_another_device():
    with pytest.raises(ValueError) as e:
        m.scale(torch.empty(3, dtype=torch.float64, device="meta"), 1.0)
    assert ("can't convert meta device type tensor to xtensor (found device meta, expected device cpu). Pass x.cpu()"
            in str(e.value))


def test_refuses_another_rank():
    with pytest.raises(ValueError) as e:
        m.describe_2d(torch.zeros(3, dtype=torch.float64))
    assert "rank mismatch (found rank 1, shape (3,), expected rank 2)" in str(e.value)


def test_refuses_requires_grad():
    t = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    with pytest.raises(ValueError, match=r"requires grad.*Pass x.detach\(\)"):
        m.scale(t, 1.0)
    m.scale(t.detach(), 1.0)


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
    with pytest.raises(ValueError, match=r"Sparse layout.*x.to_dense\(\)"):
        m.scale(torch.eye(2, dtype=torch.float64).to_sparse(), 1.0)


def test_refuses_negative_strides():
    with pytest.raises(ValueError) as e:
        m.scale(np.arange(3.0)[::-1], 1.0)
    assert "at least one stride in the given numpy array is negative" in str(e.value)
    assert "(found strides (-8,) bytes, expected non-negative strides)" in str(e.value)


def test_refuses_read_only_numpy_for_a_writable_view():
    a = np.arange(3.0)
    a.flags.writeable = False
    with pytest.raises(ValueError, match=r"numpy array is read-only \(found the read-only flag set"):
        m.scale(a, 2.0)
    assert a.tolist() == [0, 1, 2]


def test_refuses_byte_swapped_and_unaligned_numpy():
    with pytest.raises(ValueError, match=r"byte order"):
        m.scale(np.arange(3.0).astype(">f8"), 1.0)
    unaligned = np.zeros(25, dtype=np.uint8)[1:].view(np.float64)
    assert not unaligned.flags.aligned
    with pytest.raises(ValueError, match=r"not aligned"):
        m.scale(unaligned, 1.0)


def test_refuses_what_is_not_an_array():
    with pytest.raises(TypeError, match=r"(?s)incompatible function arguments.*torch.Tensor\[float64\]"):
        m.scale([1.0, 2.0], 1.0)


def test_refuses_a_used_capsule():
    capsule = torch.utils.dlpack.to_dlpack(torch.zeros(2, dtype=torch.float64))
    m.scale(capsule, 1.0)
    with pytest.raises(ValueError, match=r"used already"):
        m.scale(capsule, 1.0)


@pytest.mark.parametrize("make", [lambda: np.arange(4.0), lambda: torch.arange(4.0, dtype=torch.float64)],
                         ids=["numpy", "torch"])
def test_dlpack_producers_are_asked_for_dlpack_1_and_fall_back(make):
    array = make()
    producer = ForwardingProducer(array)
    versioned = exports_versioned(array)
    m.scale(producer, -1.0)
    assert array.tolist() == [0, -1, -2, -3]  # written in place, whichever protocol carried it
    assert producer.asked[0] == {"max_version": (1, 0), "copy": False}
    # A producer that takes those arguments is asked once; an older one again, without them.
    assert producer.asked[1:] == ([] if versioned else [{}])


@pytest.mark.skipif(not NUMPY_VERSIONED, reason="numpy " + np.__version__ + " exports no DLPack 1.x tensors (2.1+)")
def test_dlpack_1_read_only_memory_is_for_const_views_only():
    a = np.arange(4.0)
    a.setflags(write=False)
    assert m.total64(ForwardingProducer(a)) == 6.0  # a const view reads it
    with pytest.raises(ValueError) as e:
        m.scale(ForwardingProducer(a), 2.0)
    assert "the DLPack tensor is read-only (found the read-only flag set, expected writable memory)" in str(e.value)
    assert a.tolist() == [0, 1, 2, 3]
    # A writable array goes through DLPack 1.x as a writable view.
    b = np.arange(3.0)
    m.scale(b.__dlpack__(max_version=(1, 0)), 2.0)  # a versioned capsule itself
    assert b.tolist() == [0, 2, 4]


@pytest.mark.skipif(not NUMPY_VERSIONED, reason="numpy " + np.__version__ + " exports no DLPack 1.x tensors (2.1+)")
def test_refuses_a_used_versioned_capsule():
    capsule = np.zeros(2).__dlpack__(max_version=(1, 0))
    m.scale(capsule, 1.0)
    with pytest.raises(ValueError, match=r"used already \(found a capsule named 'used_dltensor_versioned'"):
        m.scale(capsule, 1.0)


@pytest.mark.skipif(NUMPY_VERSIONED, reason="numpy " + np.__version__ + " exports DLPack 1.x tensors")
def test_read_only_numpy_through_the_old_protocol_is_numpys_refusal():
    """Before DLPack 1.0 there is no read-only flag: numpy refuses to export a read-only array at all."""
    a = np.arange(3.0)
    a.setflags(write=False)
    with pytest.raises((BufferError, TypeError)):
        m.total64(ForwardingProducer(a))


def test_refuses_a_dlpack_producer_on_another_device():
    class OnGPU(Producer):
        def __dlpack_device__(self):
            return (2, 0)

    with pytest.raises(ValueError, match=r"__dlpack_device__\(\) == \(2, 0\)"):
        m.scale(OnGPU(np.zeros(2)), 1.0)


# --- at::Tensor ---------------------------------------------------------------------------------

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


# --- containers: copied in, moved out -----------------------------------------------------------

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
    with pytest.raises(ValueError, match=r"rank mismatch"):
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


# Made from the returned tensor, each of these shares its storage but not its Python object: the Owner
# (and its buffer, counted by the allocator) must live until the last of them is gone. Read in C++
# through xtensor, where AddressSanitizer sees a read of freed memory.
DERIVED = {
    "numpy": lambda v: v.numpy(),
    "detach": lambda v: v.detach(),
    "slice": lambda v: v[1:],
    "strided slice": lambda v: v[::2],
    "view": lambda v: v.view(2, 2),
    "dlpack": lambda v: torch.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(v)),
    "dlpack capsule only": lambda v: torch.utils.dlpack.to_dlpack(v),
}


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


# --- lifetimes ----------------------------------------------------------------------------------

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


def test_holder_of_a_torch_tensor_outlives_the_tensor_object():
    t = torch.ones(4)
    h = m.Holder(t)
    del t
    gc.collect()
    assert h.total() == 4.0


def test_calls_do_not_leak_references():
    a = np.zeros(3)
    refs = sys.getrefcount(a)
    for _ in range(100):
        m.scale(a, 1.0)
        m.describe(a)
    with pytest.raises(TypeError):
        m.fill_float32(a)
    assert sys.getrefcount(a) == refs


def test_view_dropped_in_another_thread_without_the_gil():
    a = np.zeros(3, dtype=np.float32)
    refs = sys.getrefcount(a)
    m.drop_in_thread(a)
    assert sys.getrefcount(a) == refs


# --- DLPack from C++ ----------------------------------------------------------------------------

def test_numpy_from_dlpack_of_an_owning_export():
    gc.collect()
    before = m.frees()
    e = m.Exporter(5, owning=True)
    a = np.from_dlpack(e)
    assert a.tolist() == [0, 1, 2, 3, 4]
    assert a.__array_interface__["data"][0] == m.last_allocation()  # the moved copy, not copied again
    del e
    gc.collect()
    assert m.frees() == before + 1  # the exporter's own buffer
    assert a.tolist() == [0, 1, 2, 3, 4]
    del a
    gc.collect()
    assert m.frees() == before + 2


def test_borrowing_export_shares_the_container():
    e = m.Exporter(4, owning=False)
    a = np.from_dlpack(e)
    t = torch.utils.dlpack.from_dlpack(e)
    assert a.__array_interface__["data"][0] == e.address() == address(t)
    t[1] = 9
    assert a[1] == 9


def test_from_dlpack_in_cpp_reads_torch_and_numpy_capsules():
    t = torch.arange(5, dtype=torch.float64)
    assert m.from_dlpack_sum(torch.utils.dlpack.to_dlpack(t)) == 10
    assert m.from_dlpack_sum(np.arange(4.0).__dlpack__()) == 6


# --- how tensors are read ----------------------------------------------------------------------

class MyTensor(torch.Tensor):
    pass


@pytest.mark.parametrize("make", [
    lambda: torch.ones(2),
    lambda: torch.ones(4)[1:],
    lambda: torch.nn.Parameter(torch.ones(2)),
    lambda: torch.ones(3).as_subclass(MyTensor),
])
def test_the_layout_probe_finds_the_tensor_impl_cdata_names(make):
    assert m.uses_layout_probe()  # the fast path is what these tests exercise
    t = make()
    probed, cdata = m.impl_both_ways(t)
    assert probed == cdata


# --- the import check ---------------------------------------------------------------------------

def test_import_check_accepts_the_running_torch():
    assert m.torch_mismatch(torch.__version__, torch._C._GLIBCXX_USE_CXX11_ABI) == ""


def test_import_check_names_a_version_mismatch():
    built = ".".join(torch.__version__.split(".")[:2])  # the module was built against the running torch
    other = "1.12.0" if built != "1.12" else "2.1.0+cu121"
    msg = m.torch_mismatch(other, torch._C._GLIBCXX_USE_CXX11_ABI)
    assert f"built against libtorch {built}, but the running torch is {other}" in msg
    assert "torch.utils.cmake_prefix_path" in msg


def test_import_check_names_an_abi_mismatch():
    msg = m.torch_mismatch(torch.__version__, not torch._C._GLIBCXX_USE_CXX11_ABI)
    built = int(torch._C._GLIBCXX_USE_CXX11_ABI)
    assert f"_GLIBCXX_USE_CXX11_ABI={built}, but the running torch" in msg
    assert f"uses _GLIBCXX_USE_CXX11_ABI={1 - built}" in msg


# --- smaller findings of the interop runs ---------------------------------------------------------

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


def unaligned(n, dtype):
    raw = np.zeros(n * np.dtype(dtype).itemsize + 1, dtype=np.uint8)
    a = raw[1:].view(dtype)
    a[:] = np.arange(n)
    assert not a.flags.aligned
    return a


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
    with pytest.raises(ValueError, match="rank mismatch"):
        m.copy_in_2d([1.0, 2.0])


def test_views_still_refuse_what_they_cannot_share():
    with pytest.raises(ValueError, match="not aligned"):
        m.scale(unaligned(3, np.float64), 2.0)
    with pytest.raises(TypeError):
        m.scale([1.0, 2.0], 2.0)
    with pytest.raises(TypeError):
        m.scale(1.0, 2.0)


class Dispatching(torch.Tensor):
    """A subclass with Python dispatch, like FakeTensor or DTensor: its operations go through Python."""

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        def plain(x):
            return x.as_subclass(torch.Tensor) if isinstance(x, Dispatching) else x
        return func(*[plain(a) for a in args], **{k: plain(v) for k, v in (kwargs or {}).items()})


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


def test_as_python_gives_the_same_object_and_python_as_xarray_refuses_in_python_terms():
    t = torch.arange(4, dtype=torch.float64)
    assert m.as_python(t) is t
    assert m.as_xarray_sum(t) == 6.0
    with pytest.raises(TypeError, match=r"as_xarray_sum\(x\): dtype mismatch \(found a torch.Tensor of dtype float32"):
        m.as_xarray_sum(t.float())


def test_the_casters_work_from_a_second_translation_unit():
    assert m.second_unit_total(np.arange(4.0)) == 6.0
    assert m.second_unit_copy([[1, 2]]).tolist() == [[1.0, 2.0]]


# --- threads: several Python threads, one module, shared tensors and arrays ---------------------

def test_threads_call_bound_functions_on_shared_tensors_and_arrays():
    """Each thread writes its own strided slice of one tensor and one array, with the GIL released in the
    body, and reads a shared read-only array; free-threaded Python runs them at once (the module declares
    mod_gil_not_used where pybind11 has it)."""
    import threading
    n_threads, rounds = 8, 200
    t = torch.zeros(8 * 64, dtype=torch.float64)
    a = np.zeros(8 * 64)
    shared = np.arange(100.0)
    shared.setflags(write=False)
    barrier = threading.Barrier(n_threads)
    failures = []

    def work(k):
        barrier.wait()
        try:
            for r in range(rounds):
                m.fill_released(t[k::n_threads], k + r)
                m.fill_released(a[k::n_threads], -(k + r))
                if m.total_released(shared) != 4950.0:
                    failures.append(("total", k, r))
        except Exception as e:  # reported below, with the thread that saw it
            failures.append((k, repr(e)))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    assert failures == []
    last = rounds - 1
    assert t.tolist() == [float(i % n_threads + last) for i in range(t.numel())]
    assert a.tolist() == [-float(i % n_threads + last) for i in range(a.size)]


def test_first_calls_from_many_threads_at_once():
    """The casters' one-time set-up (import torch, find torch's layout) runs while calling into Python:
    started by eight threads at once in a fresh interpreter, it must happen once and hang no one."""
    import subprocess
    script = (
        "import threading, numpy as np, torch, _xtorch_test as m\n"
        "barrier = threading.Barrier(8)\n"
        "out = [None] * 8\n"
        "def work(k):\n"
        "    barrier.wait()\n"
        "    x = torch.ones(4, dtype=torch.float64) if k % 2 else np.ones(4)\n"
        "    m.scale(x, float(k))\n"
        "    out[k] = float(x.sum())\n"
        "threads = [threading.Thread(target=work, args=(k,)) for k in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "assert out == [4.0 * k for k in range(8)], out\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok")
