// The caster of at::Tensor (torch::Tensor) parameters and results, from torch tensors, numpy arrays and DLPack
// producers. It replaces torch's own (<torch/extension.h>): a module includes one or the other.
#ifndef XTENSOR_TORCH_PYTHON_TENSOR_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_TENSOR_CASTER_HPP

#include "common.hpp"
#include "importers.hpp"
#include "torch_object.hpp"

namespace pybind11
{
    namespace detail
    {
        /// at::Tensor (torch::Tensor): the caller's tensor itself, or a tensor over a numpy array's or a
        /// DLPack producer's memory; any dtype, device and grad state.
        template <>
        struct type_caster<at::Tensor>
        {
            PYBIND11_TYPE_CASTER(at::Tensor, const_name("torch.Tensor"));

            bool load(handle src, bool convert)
            {
                try
                {
                    value = xtorch::python::detail::tensor_from_python(src, "at::Tensor parameter", true);
                }
                catch (const builtin_exception&)
                {
                    if (!convert)
                    {
                        return false;
                    }
                    throw;
                }
                return value.defined();
            }

            static handle cast(const at::Tensor& src, return_value_policy, handle)
            {
                return xtorch::python::detail::wrap_tensor(src);
            }
        };
    }
}

#endif
