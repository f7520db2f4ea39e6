"""How a torch.Tensor's object is read and made (python/torch_object.hpp): the layout probe, reference counts,
lifetimes across threads and without the GIL."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest and the shared helpers)


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


def test_a_thread_without_the_gil_does_not_count_another_threads_gil_as_its_own():
    """The deleter drops a reference directly where this thread holds the GIL. Before Python 3.12 the interpreter's
    current thread state is the GIL holder's, whichever thread asks, so a thread that has released the GIL sees
    another thread's state there while that thread runs Python code."""
    import threading
    assert m.holds_gil()
    running, stop = threading.Event(), threading.Event()

    def spin():
        running.set()
        while not stop.is_set():
            pass

    thread = threading.Thread(target=spin)
    thread.start()
    running.wait()
    try:
        assert not m.holds_gil_while_released(0.2)
    finally:
        stop.set()
        thread.join()
    assert m.holds_gil()


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
