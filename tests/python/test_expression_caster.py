"""Views and adaptors of C++-owned memory returned to Python (python/expression_caster.hpp): tensors over that
memory that keep their owner alive (reference_internal, keep_alive), adaptors that own their buffer moved in,
copies where nothing can keep the memory, as xtensor-python's own suite asks of its casters."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest, gc)


@pytest.mark.parametrize("method", ["strided_view", "strided_view_keep_alive"])
def test_a_view_of_a_member_shares_its_memory_and_keeps_its_owner(method):
    gc.collect()
    live = m.Native.live()
    obj = m.Native()
    view = getattr(obj, method)()
    assert view.shape == (1, 2) and view.tolist() == [[0.0, 2.0]]
    view[0, 1] = -1.0
    assert obj.get(0, 2) == -1.0  # the member itself, not a copy
    array = view.numpy()  # made from the tensor: it shares the storage, which holds the owner
    del obj, view
    gc.collect()
    assert m.Native.live() == live + 1
    for _ in range(3):
        np.zeros((100, 100))  # allocations that would reuse freed memory
    assert array.tolist() == [[0.0, -1.0]]
    del array
    gc.collect()
    assert m.Native.live() == live


@pytest.mark.parametrize("method,shape", [("reshaped", (3, 4)), ("transposed", (6, 2)), ("array_adapter", (2, 2)),
                                          ("tensor_adapter", (2, 2))])
def test_reshaped_transposed_and_adapted_members_are_shared(method, shape):
    obj = m.Native()
    t = getattr(obj, method)()
    assert tuple(t.shape) == shape
    expected = {"reshaped": np.arange(12.0).reshape(3, 4), "transposed": np.arange(12.0).reshape(2, 6).T,
                "array_adapter": np.arange(6.0, 10.0).reshape(2, 2),
                "tensor_adapter": np.arange(6.0, 10.0).reshape(2, 2)}[method]
    np.testing.assert_array_equal(t.numpy(), expected)
    t.fill_(5.0)
    assert obj.get(1, 0) == 5.0


def test_an_owning_adapter_moves_its_buffer_into_the_tensor():
    t = m.owning_adapter()
    assert t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    t += 1  # its own memory: nothing else sees it
    assert t.tolist() == [[2.0, 3.0], [4.0, 5.0]]


def test_a_lazy_view_is_copied():
    obj = m.Native()
    t = obj.lazy_view()
    assert t.tolist() == [1.0, 7.0]
    t.fill_(0.0)
    assert obj.get(0, 0) == 0.0 and obj.get(1, 0) == 6.0


def test_free_functions_copy_unless_the_policy_says_cpp_keeps_the_memory():
    copied = m.global_view_copied()
    copied.fill_(-1.0)
    assert m.global_value(0) == 0.0
    shared = m.global_view_referenced()
    shared.fill_(-2.0)
    assert m.global_value(0) == -2.0 and m.global_value(3) == 3.0
    shared.fill_(0.0)


def test_a_view_of_a_tensor_comes_back_on_its_storage():
    t = torch.arange(4.0, dtype=torch.float64)
    r = m.first_two(t)
    storage = (lambda x: x.untyped_storage() if hasattr(x, "untyped_storage") else x.storage())  # torch 2.0+
    assert r.data_ptr() == t.data_ptr() and storage(r).data_ptr() == storage(t).data_ptr()
    r.fill_(9.0)
    assert t.tolist() == [9.0, 9.0, 2.0, 3.0]
