"""The operators of xtorch_test_ops (test_ops.cpp: xtensor kernels registered with xtorch::kernel, Meta and autograd
kernels in C++) and, where torch has the stable ABI, of xtorch_test_stable_ops (test_stable_ops.cpp: the same
kernels through xtorch::stable::kernel, fake and autograd registered here in Python): one suite for both, called
through torch.ops, under autograd, opcheck and torch.compile. XTENSOR_TORCH_TEST_OPS and
XTENSOR_TORCH_TEST_STABLE_OPS name the built libraries."""
import os

import pytest
import torch

LIBRARIES = {"aten": ("xtorch_test_ops", os.environ["XTENSOR_TORCH_TEST_OPS"])}
if os.environ.get("XTENSOR_TORCH_TEST_STABLE_OPS"):
    LIBRARIES["stable"] = ("xtorch_test_stable_ops", os.environ["XTENSOR_TORCH_TEST_STABLE_OPS"])
for namespace, path in LIBRARIES.values():
    torch.ops.load_library(path)


def register_stable_in_python():
    """The stable library's fake kernels and autograd, registered from Python (torch 2.4+)."""
    stable = torch.ops.xtorch_test_stable_ops

    @torch.library.register_fake("xtorch_test_stable_ops::softplus_mul")
    def _(x, y):
        return x.new_empty(torch.broadcast_shapes(x.shape, y.shape))

    @torch.library.register_fake("xtorch_test_stable_ops::softplus_mul_backward")
    def _(grad, x, y):
        shape = torch.broadcast_shapes(x.shape, y.shape)
        return x.new_empty(shape), y.new_empty(shape)

    @torch.library.register_fake("xtorch_test_stable_ops::scale_")
    def _(x, f):
        return None

    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)

    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        dx, dy = stable.softplus_mul_backward(grad, x, y)
        return dx.sum_to_size(x.shape), dy.sum_to_size(y.shape)

    torch.library.register_autograd("xtorch_test_stable_ops::softplus_mul", backward, setup_context=setup_context)


if "stable" in LIBRARIES:
    register_stable_in_python()


@pytest.fixture(params=list(LIBRARIES))
def kind(request):
    return request.param


@pytest.fixture
def ops(kind):
    return getattr(torch.ops, LIBRARIES[kind][0])

HAS_OPCHECK = hasattr(torch.library, "opcheck")  # torch 2.4+
HAS_COMPILE = hasattr(torch, "compile")  # torch 2.0+


def reference(x, y):
    return torch.nn.functional.softplus(x) * y


@pytest.mark.parametrize("make", [
    lambda: (torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 4, dtype=torch.float64)),
    lambda: (torch.randn(4, 3, dtype=torch.float64).t(), torch.randn(3, 4, dtype=torch.float64)[:, ::1]),
    lambda: (torch.randn(3, 8, dtype=torch.float64)[:, ::2], torch.randn(4, dtype=torch.float64).expand(3, 4)),
    lambda: (torch.randn((), dtype=torch.float64), torch.randn((), dtype=torch.float64)),
], ids=["contiguous", "transposed", "step-sliced and broadcast", "rank 0"])
def test_the_kernel_reads_any_strides_and_returns_a_new_tensor(ops, make):
    x, y = make()
    out = ops.softplus_mul(x, y)
    torch.testing.assert_close(out, reference(x, y))
    assert out.data_ptr() not in (x.data_ptr(), y.data_ptr())


def test_inputs_that_require_grad_are_read_and_differentiated(ops):
    x = torch.randn(5, dtype=torch.float64, requires_grad=True)
    y = torch.randn(5, dtype=torch.float64, requires_grad=True)
    out = ops.softplus_mul(x, y)
    assert out.requires_grad
    out.sum().backward()
    torch.testing.assert_close(x.grad, torch.sigmoid(x.detach()) * y.detach())
    torch.testing.assert_close(y.grad, torch.nn.functional.softplus(x.detach()))
    assert torch.autograd.gradcheck(ops.softplus_mul, (torch.randn(3, 2, dtype=torch.float64, requires_grad=True),
                                                       torch.randn(3, 2, dtype=torch.float64, requires_grad=True)))


def test_an_nn_parameter_is_read_and_updated_in_place_under_no_grad(ops):
    w = torch.nn.Parameter(torch.ones(4, dtype=torch.float64))
    out = ops.softplus_mul(w, w)
    torch.testing.assert_close(out, reference(w.detach(), w.detach()))
    with torch.no_grad():
        ops.scale_(w, 3.0)
    assert w.detach().tolist() == [3.0] * 4


def test_in_place_and_inference_mode(ops):
    t = torch.arange(4, dtype=torch.float64)
    ops.scale_(t[::2], 10.0)
    assert t.tolist() == [0.0, 1.0, 20.0, 3.0]
    with torch.inference_mode():
        out = ops.softplus_mul(torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64))
    torch.testing.assert_close(out, reference(torch.ones(2, dtype=torch.float64), torch.ones(2, dtype=torch.float64)))


def test_a_refused_argument_is_an_error_naming_it(ops, kind):
    x = torch.randn(3, dtype=torch.float64)
    if kind == "stable":  # the stable ABI carries std::invalid_argument across, which torch raises as ValueError
        with pytest.raises(ValueError, match=r"xarray_view<const double> argument 1: dtype mismatch \(found float32, "
                                              r"expected float64\)\. Pass x\.to\(torch\.float64\)"):
            ops.softplus_mul(x, x.float())
        return
    with pytest.raises(TypeError, match=r"xarray_view<const double> argument 1: dtype mismatch \(found float32, "
                                         r"expected float64\)\. Pass x\.to\(torch\.float64\)"):
        ops.softplus_mul(x, x.float())


def test_inputs_broadcast_as_the_fake_kernel_says(ops, kind):
    x = torch.randn(3, dtype=torch.float64)
    y = torch.randn(2, 3, dtype=torch.float64)
    out = ops.softplus_mul(x, y)
    torch.testing.assert_close(out, reference(x, y))
    if kind == "aten":  # the C++ Meta kernel (the stable library's fake kernel is Python's, for fake tensors)
        assert ops.softplus_mul(x.to("meta"), y.to("meta")).shape == out.shape
    x.requires_grad_()
    ops.softplus_mul(x, y).sum().backward()
    torch.testing.assert_close(x.grad, (torch.sigmoid(x.detach()) * y).sum(0))


@pytest.mark.skipif(not HAS_OPCHECK, reason="torch.library.opcheck is torch 2.4+, this is " + torch.__version__)
@pytest.mark.parametrize("name,args", [
    ("softplus_mul", lambda: (torch.randn(3, 4, dtype=torch.float64, requires_grad=True),
                              torch.randn(3, 4, dtype=torch.float64, requires_grad=True))),
    ("softplus_mul", lambda: (torch.randn(4, 3, dtype=torch.float64).t(), torch.randn(3, 4, dtype=torch.float64))),
    ("softplus_mul_backward", lambda: tuple(torch.randn(2, 5, dtype=torch.float64) for _ in range(3))),
    ("scale_", lambda: (torch.randn(6, dtype=torch.float64), 2.5)),
])
def test_opcheck(ops, name, args):
    torch.library.opcheck(getattr(ops, name).default, args())


# aot_eager traces through the fake kernels and autograd as inductor does, without a C++ toolchain at run time;
# XTENSOR_TORCH_COMPILE_BACKENDS=aot_eager,inductor adds inductor (it compiles C++ for the graph around the ops).
COMPILE_BACKENDS = os.environ.get("XTENSOR_TORCH_COMPILE_BACKENDS", "aot_eager").split(",")


@pytest.mark.skipif(not HAS_COMPILE, reason="torch.compile is torch 2.0+, this is " + torch.__version__)
@pytest.mark.parametrize("backend", COMPILE_BACKENDS)
def test_torch_compile_fullgraph_forward_and_backward_match_eager(ops, backend):
    torch._dynamo.reset()

    def loss(x, y):
        return (ops.softplus_mul(x, y) * 2).sum()

    compiled = torch.compile(loss, fullgraph=True, backend=backend)
    x = torch.randn(8, dtype=torch.float64, requires_grad=True)
    y = torch.randn(8, dtype=torch.float64, requires_grad=True)
    eager = loss(x, y)
    eager.backward()
    expected = (x.grad.clone(), y.grad.clone())
    x.grad = y.grad = None
    out = compiled(x, y)
    out.backward()
    torch.testing.assert_close(out, eager)
    torch.testing.assert_close((x.grad, y.grad), expected)


@pytest.mark.skipif("stable" not in LIBRARIES, reason="no stable-ABI library here (torch 2.11+)")
def test_a_stable_kernel_moves_its_container_into_the_result():
    out = torch.ops.xtorch_test_stable_ops.arange_owned(5)
    assert out.dtype == torch.float64
    assert out.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0]
    del out  # the container is freed by the tensor's deleter (checked under AddressSanitizer in the asan build)

