"""The build of the Python package xtensor-torch (pyproject.toml holds its metadata).

The headers and the CMake package come from the project's own install rules: CMake configures the checkout with
-DXTENSOR_TORCH_PACKAGE_ONLY=ON (no compiler and no dependency needed) and installs into a staging folder, which
goes into the package (xtensor_torch/include, xtensor_torch/share/cmake/xtensor-torch) and, as data files, into the
environment's prefix (include/xtensor-torch, share/cmake/xtensor-torch), where CMake's find_package looks when the
environment's bin/ is on PATH. The version is read from config.hpp, where it is written once.
"""
import importlib.util
import os
import shutil
import subprocess

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = os.path.dirname(os.path.abspath(__file__))
STAGE = os.path.join("build", "python-package", "stage")  # relative: setuptools wants data_files relative


def version():
    """The version written in config.hpp, read as the package itself reads it (python/xtensor_torch)."""
    spec = importlib.util.spec_from_file_location("xtensor_torch", os.path.join(ROOT, "python", "xtensor_torch",
                                                                                 "__init__.py"))
    package = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(package)  # imports nothing but os and re
    return package._read_version(os.path.join(ROOT, "include"))


def stage():
    """Installs the headers and the CMake package into STAGE with CMake; returns the installed files, relative."""
    cmake = shutil.which("cmake")
    if cmake is None:
        raise SystemExit("error: building the xtensor-torch package needs CMake on PATH (Debian: apt-get install "
                         "cmake; elsewhere: pip install cmake). setup.py installs the headers with the project's "
                         "CMake install rules.")
    build = os.path.join(ROOT, "build", "python-package", "cmake")
    target = os.path.join(ROOT, STAGE)
    shutil.rmtree(target, ignore_errors=True)
    for command in ([cmake, "-S", ROOT, "-B", build, "-DXTENSOR_TORCH_PACKAGE_ONLY=ON",
                     "-DCMAKE_INSTALL_INCLUDEDIR=include", "-DCMAKE_INSTALL_DATADIR=share"],
                    [cmake, "--install", build, "--prefix", target]):
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    files = []
    for folder, _, names in os.walk(target):
        files += [os.path.relpath(os.path.join(folder, n), ROOT) for n in names]
    return sorted(files)


def data_files(files):
    """The staged files as setuptools data files: each into the same folder under the environment's prefix."""
    by_folder = {}
    for path in files:
        by_folder.setdefault(os.path.dirname(os.path.relpath(path, STAGE)), []).append(path)
    return sorted(by_folder.items())


class build_py_with_headers(build_py):
    """The pure Python package, then the staged headers and CMake files inside it."""

    def run(self):
        super().run()
        package = os.path.join(self.build_lib, "xtensor_torch")
        for path in STAGED:
            target = os.path.join(package, os.path.relpath(path, STAGE))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(os.path.join(ROOT, path), target)


STAGED = stage()
setup(version=version(), data_files=data_files(STAGED), cmdclass={"build_py": build_py_with_headers})
