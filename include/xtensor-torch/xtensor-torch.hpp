// xtensor-torch: zero-copy views and explicit copies between xtensor and torch tensors.
//
// as_* never copies (it shares memory or throws xtorch::conversion_error); to_* always copies.
//   as_tensor(e)         xtensor expression -> at::Tensor over its memory
//   to_tensor(e, opts)   any xtensor expression -> new at::Tensor (dtype, device from opts)
//   as_xarray<T>(t)      at::Tensor -> xarray_view<T> over its storage (holds the storage alive)
//   as_xtensor<T, N>(t)  the same with a static rank
//   to_xarray<T>(t)      at::Tensor (any dtype, strides, device) -> new xt::xarray<T>
//   to_xtensor<T, N>(t)  the same with a static rank
//   to_dlpack(e)         xtensor expression -> DLManagedTensor* over its memory
//   from_dlpack<T>(m)    DLManagedTensor* -> xarray_view<T> over its memory
//   empty_pinned<T>(shape), to_device_async(e, opts), to_host_async<T>(t)
//                        pinned host memory and non-blocking transfers that cannot dangle
#ifndef XTENSOR_TORCH_HPP
#define XTENSOR_TORCH_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include "as_tensor.hpp"
#include "dlpack.hpp"
#include "dtype.hpp"
#include "errors.hpp"
#include "kernel.hpp"
#include "to_tensor.hpp"
#include "to_xarray.hpp"
#include "transfer.hpp"
#include "views.hpp"

#endif
