// Version macros and the one place that names the headers every xtensor-torch header needs.
#ifndef XTENSOR_TORCH_CONFIG_HPP
#define XTENSOR_TORCH_CONFIG_HPP

#define XTENSOR_TORCH_VERSION_MAJOR 0
#define XTENSOR_TORCH_VERSION_MINOR 1
#define XTENSOR_TORCH_VERSION_PATCH 0

// The library headers use ATen and c10 only: <torch/torch.h> costs about 12 s of compile time per
// translation unit, <ATen/ATen.h> about 5 s. `torch::Tensor` is `at::Tensor`, so users of the
// torch:: API pass their tensors as they are.
#include <ATen/ATen.h>

#endif
