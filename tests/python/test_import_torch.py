"""The import check of a module against the running torch (python/import_torch.hpp)."""
from casters_common import *  # noqa: F401,F403 (m, numpy as np, torch, pytest and the shared helpers)


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
