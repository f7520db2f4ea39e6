"""What the caster tests share: the test module (as m), numpy, torch, the dtypes, DLPack producers and the
tensor subclasses. The module is _xtorch_test (pybind11), or the one XTENSOR_TORCH_TEST_MODULE names:
_xtorch_test_nb, the same bindings on nanobind."""
import gc
import importlib
import os
import sys
import weakref

import numpy as np
import pytest
import torch
import torch.utils.dlpack

m = importlib.import_module(os.environ.get("XTENSOR_TORCH_TEST_MODULE", "_xtorch_test"))
# The binding library the module was built with, for the few behaviours that are its own.
BINDING = "nanobind" if m.__name__.endswith("_nb") else "pybind11"

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


class MyTensor(torch.Tensor):
    pass


def unaligned(n, dtype):
    raw = np.zeros(n * np.dtype(dtype).itemsize + 1, dtype=np.uint8)
    a = raw[1:].view(dtype)
    a[:] = np.arange(n)
    assert not a.flags.aligned
    return a


class Dispatching(torch.Tensor):
    """A subclass with Python dispatch, like FakeTensor or DTensor: its operations go through Python."""

    @classmethod
    def __torch_dispatch__(cls, func, types, args=(), kwargs=None):
        def plain(x):
            return x.as_subclass(torch.Tensor) if isinstance(x, Dispatching) else x
        return func(*[plain(a) for a in args], **{k: plain(v) for k, v in (kwargs or {}).items()})
