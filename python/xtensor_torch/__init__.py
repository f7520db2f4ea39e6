"""xtensor-torch for Python builds: where the C++ headers and the CMake package are, and the compiler flags that
torch.utils.cpp_extension builds need, so that a notebook's load_inline or a setup.py's CppExtension can include
<xtensor-torch/pybind11.hpp> without a checkout.

    import xtensor_torch
    ext = xtensor_torch.load_inline("my_ext", cpp_sources=[source], functions=["scale_"])
    CppExtension("my_ext", ["my_ext.cpp"], **xtensor_torch.extension_args())   # in a setup.py
    cmake -Dxtensor-torch_DIR="$(python -m xtensor_torch --cmakedir)" ...      # or find_package() alone, see docs
"""
import os
import re

_HERE = os.path.dirname(os.path.abspath(__file__))


def _read_version(include_dir):
    with open(os.path.join(include_dir, "xtensor-torch", "config.hpp")) as f:
        text = f.read()
    parts = [re.search(r"#define XTENSOR_TORCH_VERSION_%s (\d+)" % p, text).group(1) for p in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


def get_include():
    """The folder that holds xtensor-torch/ (the headers): an include path for the compiler.

    In an installed package, the headers installed with it; run from a source checkout (python/ on sys.path), the
    checkout's include/."""
    installed = os.path.join(_HERE, "include")
    if os.path.isdir(os.path.join(installed, "xtensor-torch")):
        return installed
    checkout = os.path.normpath(os.path.join(_HERE, "..", "..", "include"))
    if os.path.isfile(os.path.join(checkout, "xtensor-torch", "config.hpp")):
        return checkout
    raise RuntimeError("xtensor_torch.get_include(): the headers are not installed with this package (found "
                       "neither %s nor a checkout's include/). Install the package with pip install <checkout>."
                       % installed)


def get_cmake_dir():
    """The folder of xtensor-torch-config.cmake: CMake's xtensor-torch_DIR, or a CMAKE_PREFIX_PATH entry."""
    installed = os.path.join(_HERE, "share", "cmake", "xtensor-torch")
    if os.path.isfile(os.path.join(installed, "xtensor-torch-config.cmake")):
        return installed
    raise RuntimeError("xtensor_torch.get_cmake_dir(): the CMake package is installed with the package only (not "
                       "found in %s). Install it with pip install <checkout>, or configure the checkout with CMake."
                       % installed)


__version__ = _read_version(get_include())


def cflags():
    """The compiler flags the headers need in a torch.utils.cpp_extension build: C++17 where this torch builds
    extensions as C++14 (torch before 2.1); nothing where torch's own flag suffices."""
    import torch

    major, minor = (int(x) for x in re.match(r"(\d+)\.(\d+)", torch.__version__).groups())
    return ["-std=c++17"] if (major, minor) < (2, 1) else []


def extension_args(include_dirs=(), extra_compile_args=()):
    """Keyword arguments for torch.utils.cpp_extension.CppExtension: the include path and the flags, after any
    of the caller's."""
    return {"include_dirs": list(include_dirs) + [get_include()],
            "extra_compile_args": list(extra_compile_args) + cflags()}


def load_inline(name, cpp_sources, extra_include_paths=(), extra_cflags=(), **kwargs):
    """torch.utils.cpp_extension.load_inline with the headers on the include path and the flags they need: the
    sources may include <xtensor-torch/pybind11.hpp>. Every other argument is load_inline's."""
    from torch.utils import cpp_extension

    return cpp_extension.load_inline(name, cpp_sources, extra_include_paths=list(extra_include_paths) + [get_include()],
                                     extra_cflags=list(extra_cflags) + cflags(), **kwargs)


def load(name, sources, extra_include_paths=(), extra_cflags=(), **kwargs):
    """torch.utils.cpp_extension.load (sources from files) with the headers on the include path and their flags."""
    from torch.utils import cpp_extension

    return cpp_extension.load(name, sources, extra_include_paths=list(extra_include_paths) + [get_include()],
                              extra_cflags=list(extra_cflags) + cflags(), **kwargs)
