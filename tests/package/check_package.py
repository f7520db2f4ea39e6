"""The Python package as its users install it: `pip install .` into a fresh virtual environment (which sees Debian's
torch), then, outside the checkout and with none of its paths anywhere, (a) load_inline, (b) a setup.py project
built with torch's CppExtension and (c) an operator library built with CMake, each on the installed headers;
`python -m xtensor_torch`; which pybind11 an extension build compiles against, beside torch's; a wheel and an sdist
built with `python3 -m build` and checked for content; and `pip uninstall` leaving the environment as it was.

    check_package.py SOURCE_DIR WORK_DIR VERSION   (run by CTest as package.pip, with the project's version)
"""
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

SOURCE, WORK = (os.path.abspath(p) for p in sys.argv[1:3])
VERSION = sys.argv[3]
HERE = os.path.dirname(os.path.abspath(__file__))
# What a source distribution holds: the files setup.py needs.
PACKAGE_SOURCES = ["CMakeLists.txt", "LICENSE", "MANIFEST.in", "README.md", "pyproject.toml", "setup.py", "cmake",
                   "include", "python"]


def run(*command, cwd=None, env=None, capture=False):
    print("$", " ".join(command), flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, check=True, text=True,
                            stdout=subprocess.PIPE if capture else None)
    return result.stdout


def files_under(root):
    found = set()
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        found |= {os.path.relpath(os.path.join(folder, n), root) for n in names if not n.endswith(".pyc")}
    return found


def expected_version():
    """The version CMake read from config.hpp for this build: what every interface of the package must say."""
    return VERSION


def main():
    shutil.rmtree(WORK, ignore_errors=True)
    # A copy of what the package is built from, so that the build writes nothing into the checkout.
    src = os.path.join(WORK, "src")
    os.makedirs(src)
    for name in PACKAGE_SOURCES:
        (shutil.copytree if os.path.isdir(os.path.join(SOURCE, name)) else shutil.copy)(
            os.path.join(SOURCE, name), os.path.join(src, name))
    venv = os.path.join(WORK, "venv")
    run(sys.executable, "-m", "venv", "--system-site-packages", venv)
    python = os.path.join(venv, "bin", "python")
    before = files_under(venv)
    # The user's environment: the venv's bin/ first on PATH, as when it is activated; nothing of the checkout.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CMAKE_PREFIX_PATH", "CPATH")}
    env.update(PATH=os.path.join(venv, "bin") + os.pathsep + env["PATH"], VIRTUAL_ENV=venv,
               TORCH_EXTENSIONS_DIR=os.path.join(WORK, "torch_extensions"))
    user = os.path.join(WORK, "user")
    os.makedirs(user)

    run(python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index", src, cwd=user, env=env)
    out = run(python, "-m", "xtensor_torch", "--includes", "--cmakedir", "--version", cwd=user, env=env,
              capture=True).split("\n")
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", env=env, capture=True).strip()
    assert out[0] == "-I" + os.path.join(site, "xtensor_torch", "include"), out
    assert out[1] == os.path.join(site, "xtensor_torch", "share", "cmake", "xtensor-torch"), out
    assert out[2] == expected_version(), out
    assert os.path.isfile(os.path.join(out[0][2:], "xtensor-torch", "pybind11.hpp"))
    assert os.path.isfile(os.path.join(out[1], "xtensor-torch-config.cmake"))
    print("python -m xtensor_torch: ok", flush=True)

    # (a) load_inline, as in a notebook; then whether the extension shares torch's pybind11 internals: it does
    # when it finds the classes torch registered with pybind11 (c10::FunctionSchema, bound by torch._C).
    inline = r'''
import numpy as np
import torch
import xtensor_torch

source = """
#include <ATen/core/function_schema.h>
#include <xtensor-torch/pybind11.hpp>
void scale_(xtorch::xarray_view<float> x, float f) { x *= f; }
xt::xarray<double> ramp(int64_t n) { return xt::arange<double>(n); }
int pybind11_internals() { return PYBIND11_INTERNALS_VERSION; }
bool finds_torch_classes() { return pybind11::detail::get_type_info(typeid(c10::FunctionSchema)) != nullptr; }
"""
ext = xtensor_torch.load_inline("package_inline", cpp_sources=[source],
                                functions=["scale_", "ramp", "pybind11_internals", "finds_torch_classes"])
t = torch.ones(4)
ext.scale_(t[::2], 3.0)
a = np.ones(2, dtype=np.float32)
ext.scale_(a, 2.0)
assert t.tolist() == [3, 1, 3, 1] and a.tolist() == [2, 2]
assert ext.ramp(3).tolist() == [0.0, 1.0, 2.0]
print("pybind11 internals version of the extension:", ext.pybind11_internals(),
      "| shares torch's pybind11 internals:", ext.finds_torch_classes())
assert ext.finds_torch_classes(), "the extension's pybind11 does not share torch's internals"
print("load_inline: ok")
'''
    run(python, "-c", inline, cwd=user, env=env)

    # (b) a setup.py project with CppExtension, installed into the environment with pip.
    extension = os.path.join(user, "extension")
    shutil.copytree(os.path.join(HERE, "extension"), extension)
    run(python, "-m", "pip", "install", "-q", "--no-build-isolation", "--no-index", extension, cwd=user, env=env)
    run(python, "-c", "import numpy as np, torch, user_extension as e\n"
                      "t = torch.ones(3); e.scale_(t, 2.0); assert t.tolist() == [2, 2, 2]\n"
                      "a = np.arange(6.0).reshape(2, 3); a.setflags(write=False); assert e.total(a.T) == 15.0\n"
                      "assert e.ramp(4).tolist() == [0, 1, 2, 3]\n"
                      "print('CppExtension project: ok')", cwd=user, env=env)

    # (c) the example operator library: a CMake project that finds the package through the environment, with no
    # path given, built on the installed headers and loaded with torch.ops. (install.consumer builds the consumer
    # project on a `cmake --install` prefix; building it here too would add a compile and check nothing more.)
    ops = os.path.join(user, "ops")
    shutil.copytree(os.path.join(HERE, "ops"), ops)
    shutil.copy(os.path.join(SOURCE, "examples", "ops", "xtensor_ops.cpp"), ops)
    run("cmake", "-S", ops, "-B", os.path.join(ops, "build"), "-DCMAKE_BUILD_TYPE=Release", env=env)
    cache = open(os.path.join(ops, "build", "CMakeCache.txt")).read()
    assert "xtensor-torch_DIR:PATH=" + os.path.join(venv, "share", "cmake", "xtensor-torch") in cache
    run("cmake", "--build", os.path.join(ops, "build"), env=env)
    run(python, "-c", "import torch\n"
                      "torch.ops.load_library('%s')\n"
                      "x = torch.linspace(-3, 3, 7, requires_grad=True)\n"
                      "y = torch.ops.xtensor_ops.smooth_relu(x, 2.0)\n"
                      "torch.testing.assert_close(y, torch.nn.functional.softplus(x, beta=2.0))\n"
                      "y.sum().backward()\n"
                      "torch.testing.assert_close(x.grad, torch.sigmoid(2.0 * x.detach()))\n"
                      "print('operator library: ok')" % os.path.join(ops, "build", "libxtensor_ops.so"),
        cwd=user, env=env)

    # pip uninstall removes everything the installs put down.
    run(python, "-m", "pip", "uninstall", "-q", "-y", "user_extension", "xtensor-torch", cwd=user, env=env)
    left = files_under(venv) - before
    assert not left, "left behind by pip uninstall: %s" % sorted(left)
    print("pip uninstall: the environment is as it was", flush=True)

    # A wheel and an sdist, with what they must hold and nothing built; the wheel installs and answers.
    dist = os.path.join(WORK, "dist")
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, src, cwd=user, env=env)
    wheel = [f for f in os.listdir(dist) if f.endswith(".whl")][0]
    sdist = [f for f in os.listdir(dist) if f.endswith(".tar.gz")][0]
    assert wheel == "xtensor_torch-%s-py3-none-any.whl" % expected_version(), wheel
    names = zipfile.ZipFile(os.path.join(dist, wheel)).namelist()
    for required in ("xtensor_torch/__init__.py", "xtensor_torch/include/xtensor-torch/xtensor-torch.hpp",
                     "xtensor_torch/include/xtensor-torch/python/view_caster.hpp",
                     "xtensor_torch/share/cmake/xtensor-torch/xtensor-torch-config.cmake",
                     "xtensor_torch/share/cmake/xtensor-torch/xtensor-torch-targets.cmake"):
        assert required in names, required
    data = "xtensor_torch-%s.data/data/" % expected_version()
    assert data + "share/cmake/xtensor-torch/xtensor-torch-config.cmake" in names
    assert data + "include/xtensor-torch/xtensor-torch.hpp" in names
    # setuptools 66 (Debian 12) writes .dist-info/LICENSE; the newer ones of Debian 13 and testing follow PEP 639,
    # .dist-info/licenses/LICENSE.
    assert any(re.search(r"\.dist-info/(licenses/)?LICENSE$", n) for n in names), names
    built = [n for n in names if re.search(r"\.(o|so|a|pyc)$|CMakeCache|/build/", n)]
    assert not built, built
    sdist_names = tarfile.open(os.path.join(dist, sdist)).getnames()
    top = sdist[:-len(".tar.gz")]
    for required in ("setup.py", "pyproject.toml", "LICENSE", "CMakeLists.txt", "cmake/xtensor-torch-config.cmake.in",
                     "include/xtensor-torch/xtensor-torch.hpp", "python/xtensor_torch/__init__.py"):
        assert top + "/" + required in sdist_names, required
    built = [n for n in sdist_names if re.search(r"\.(o|so|a|pyc)$|CMakeCache|/build/|egg-info/SOURCES", n)
             and "/build/" in n]
    assert not built, built
    venv2 = os.path.join(WORK, "venv-wheel")
    run(sys.executable, "-m", "venv", "--system-site-packages", venv2)
    run(os.path.join(venv2, "bin", "python"), "-m", "pip", "install", "-q", "--no-index", os.path.join(dist, wheel),
        cwd=user, env=env)
    out = run(os.path.join(venv2, "bin", "python"), "-m", "xtensor_torch", "--version", cwd=user, env=env,
              capture=True)
    assert out.strip() == expected_version(), out
    print("wheel and sdist: ok", flush=True)
    print("package.pip: every check passed")


if __name__ == "__main__":
    main()
