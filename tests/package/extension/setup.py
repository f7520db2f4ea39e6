# A user's extension built with torch's CppExtension on the installed xtensor-torch package (no checkout).
from setuptools import setup
from torch.utils.cpp_extension import BuildExtension, CppExtension

import xtensor_torch

setup(name="user_extension", version="1.0",
      ext_modules=[CppExtension("user_extension", ["user_extension.cpp"], **xtensor_torch.extension_args())],
      cmdclass={"build_ext": BuildExtension})
