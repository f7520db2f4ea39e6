// pybind11 type casters for xtensor-torch: bound C++ functions take and return torch tensors, numpy
// arrays and DLPack objects as xarray_view / xtensor_view, at::Tensor and xtensor containers.
//
// Opt-in: not part of the umbrella header. Link the module with libtorch_python (the CMake target
// xtensor-torch::python does: find_package(xtensor-torch COMPONENTS python)) and call
// xtorch::python::import_torch() first in PYBIND11_MODULE.
//
// What each C++ type does at the boundary (pybind11's conventions: read-only parameters convert in its second
// pass, unless the argument is marked py::arg().noconvert(); writable ones never do):
//
//   parameter                 accepts                                      copies?
//   xarray_view<T>            torch.Tensor, numpy.ndarray, __dlpack__      never: writes are seen by the caller
//   xtensor_view<T, N>        the same, of rank N                          never
//   xarray_view<const T>      the same, read-only numpy arrays too;        no, where the memory can be viewed;
//                             in the conversion pass also other dtypes,    else a copy for the call (as
//                             layouts and bits, numbers and nested lists   py::array_t<T> and Eigen::Ref<const M>)
//   at::Tensor                the same, any dtype                          never: the caller's memory
//   xt::xarray<T>, xtensor,   the same; other dtypes are cast              always (pybind11's by-value rule)
//   xtensor_fixed             (xtensor_fixed: exactly its shape)
//
//   return value              gives
//   at::Tensor                the tensor (the same Python object when it came from Python)
//   xarray_view<T>            a tensor on the view's storage
//   xt::xarray<T>, xtensor    a tensor that took over the container's buffer (moved, not copied);
//                             a container returned by reference is copied, or borrowed under
//                             return_value_policy::reference / reference_internal; xtensor_fixed: a copy
//   xt::strided_view, adapt,  a tensor over the C++ memory, holding the method's self (reference_internal,
//   reshape_view, transpose   keep_alive); an owning adaptor moves in; a free function's view is copied
//
// Refusals raise TypeError where the argument's type does not fit (not an array, another dtype, rank, layout
// or device) and ValueError where its memory or state does (requires grad, conjugate or negative bit, negative
// or self-overlapping strides, read-only memory for a writable view), naming what was expected, what was passed,
// and what to pass instead. When a function has overloads, pybind11 first tries each without conversions: a
// refusal then only moves on to the next overload, and the detailed error is raised from the second pass, where
// it ends the search (a const view of another rank leaves it to the next overload). For one function over
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
#include "python/expression_caster.hpp"
#include "python/import_torch.hpp"
#include "python/importers.hpp"
#include "python/tensor_caster.hpp"
#include "python/torch_object.hpp"
#include "python/view_caster.hpp"

#endif
