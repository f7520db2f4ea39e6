"""The sources a parameter is read from (python/importers.hpp): numpy arrays and DLPack producers and capsules,
their refusals, and DLPack exports made in C++ read by numpy and torch."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest and the shared helpers)


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


@pytest.mark.parametrize("dtype", [d for d in DTYPES if d != "bfloat16"])
def test_every_dtype_from_numpy_transposed(dtype):
    a = np.zeros((3, 2), dtype=dtype).T
    getattr(m, "fill_" + dtype)(a)
    expected = (np.arange(6).reshape(2, 3) * 10).astype(dtype)
    np.testing.assert_array_equal(a, expected)


def test_refuses_numpy_of_another_dtype():
    with pytest.raises(TypeError, match=r"found a numpy.ndarray of dtype int64, expected float64"):
        m.scale(np.arange(3), 1.0)


def test_refuses_numpy_dtypes_torch_lacks():
    with pytest.raises(TypeError, match=r"found numpy.float128, expected bool, uint8"):
        m.scale(np.zeros(3, dtype=np.longdouble), 1.0)  # x86-64's 80-bit long double
    if not WIDE_UNSIGNED:
        with pytest.raises(TypeError, match=r"found numpy.uint16, expected bool, uint8"):
            m.scale(np.zeros(3, dtype=np.uint16), 1.0)


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
