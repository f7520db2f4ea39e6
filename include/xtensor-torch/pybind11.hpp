// pybind11 type casters for xtensor-torch: bound C++ functions take and return torch tensors, numpy
// arrays and DLPack objects as xarray_view / xtensor_view, at::Tensor and xtensor containers.
//
// Opt-in: not part of the umbrella header. Link the module with libtorch_python (the CMake target
// xtensor-torch::python does: find_package(xtensor-torch COMPONENTS python)) and call
// xtorch::python::import_torch() first in PYBIND11_MODULE.
//
// What each C++ type does at the boundary:
//
//   parameter                 accepts                                      copies?
//   xarray_view<T>            torch.Tensor, numpy.ndarray, __dlpack__      never: writes are seen by the caller
//   xtensor_view<T, N>        the same, of rank N                          never
//   xarray_view<const T>      the same, read-only numpy arrays too         never
//   at::Tensor                the same, any dtype                          never: the caller's memory
//   xt::xarray<T>, xtensor    the same; other dtypes are cast              always (pybind11's by-value rule)
//
//   return value              gives
//   at::Tensor                the tensor (the same Python object when it came from Python)
//   xarray_view<T>            a tensor on the view's storage
//   xt::xarray<T>, xtensor    a tensor that took over the container's buffer (moved, not copied);
//                             a container returned by reference is copied, or borrowed under
//                             return_value_policy::reference / reference_internal
//
// Refusals raise TypeError (not an array, or another dtype) or ValueError (device, rank, requires
// grad, conjugate or negative bit, layout, negative strides, read-only numpy array), naming what was
// expected, what was passed, and what to pass instead. When a function has overloads, pybind11 first
// tries each without conversions: a refusal then only moves on to the next overload, and the
// detailed error is raised from the second pass, where it ends the search. For one function over
// several dtypes, take an at::Tensor and choose in C++ with xtorch::python::as_xarray<T>(x, name).
//
// This header replaces torch's own caster for at::Tensor (torch/csrc/utils/pybind.h, which
// <torch/extension.h> includes), which takes torch.Tensor only. A module includes one or the other.
#ifndef XTENSOR_TORCH_PYBIND11_HPP
#define XTENSOR_TORCH_PYBIND11_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include "xtensor-torch.hpp"

#include "python/common.hpp"
#include "python/container_caster.hpp"
#include "python/import_torch.hpp"
#include "python/importers.hpp"
#include "python/tensor_caster.hpp"
#include "python/torch_object.hpp"
#include "python/view_caster.hpp"

#endif
