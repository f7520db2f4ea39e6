// The caster of at::Tensor (torch::Tensor) parameters and results, from torch tensors, numpy arrays and DLPack
// producers, for modules built without torch's Python headers; where <torch/extension.h> is included too (before
// or after), torch's own caster is the one used.
#ifndef XTENSOR_TORCH_PYTHON_TENSOR_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_TENSOR_CASTER_HPP

#include "common.hpp"
#include "importers.hpp"
#include "torch_object.hpp"

namespace pybind11
{
    namespace detail
    {
        /**
         * at::Tensor (torch::Tensor): the caller's tensor itself, or a tensor over a numpy array's or a
         * DLPack producer's memory; any dtype, device and grad state, as torch.from_numpy takes them.
         *
         * A partial specialization, where torch's own (<torch/extension.h>) is an explicit one: in a
         * torch.utils.cpp_extension build, whichever header comes first, torch's explicit specialization is
         * the better match and at::Tensor parameters get torch's caster; elsewhere this one is used. One
         * extension module should not mix translation units with and without <torch/extension.h>: at::Tensor
         * would have two casters in one program.
         */
        template <class Tensor>
        struct type_caster<Tensor, std::enable_if_t<std::is_same<Tensor, at::Tensor>::value>>
        {
            PYBIND11_TYPE_CASTER(at::Tensor, const_name("torch.Tensor"));

            /// A read-only numpy array is taken with a UserWarning, as torch.from_numpy takes it: torch has no
            /// read-only tensors.
            bool load(handle src, bool convert)
            {
                try
                {
                    value = xtorch::python::detail::tensor_from_python(src, "at::Tensor parameter", false);
                    if (value.defined() && xtorch::python::detail::is_read_only_numpy(src)
                        && PyErr_WarnEx(PyExc_UserWarning,
                                        "at::Tensor parameter: the numpy array is read-only, and torch has no "
                                        "read-only tensors: writing to this tensor writes into the array. Pass "
                                        "a.copy() to keep its data as it is.",
                                        1)
                               != 0)
                    {
                        throw error_already_set();  // warnings turned into errors
                    }
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
