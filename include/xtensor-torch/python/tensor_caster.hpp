// The binding-neutral half of the caster of at::Tensor (torch::Tensor) parameters and results, from torch tensors,
// numpy arrays and DLPack producers.
#ifndef XTENSOR_TORCH_PYTHON_TENSOR_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_TENSOR_CASTER_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include "importers.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /**
             * An at::Tensor parameter: the caller's tensor itself, or a tensor over a numpy array's or a DLPack
             * producer's memory; any dtype, device and grad state, as torch.from_numpy takes them. Undefined where
             * src is none of those, or where it refuses in the first pass (another overload's turn); a refusal in
             * the conversion pass is thrown. A read-only numpy array is taken with a UserWarning, as
             * torch.from_numpy does: torch has no read-only tensors.
             */
            inline at::Tensor load_tensor(PyObject* src, bool convert)
            {
                at::Tensor t;
                try
                {
                    t = tensor_from_python(src, "at::Tensor parameter", false);
                }
                catch (const python_exception& e)
                {
                    if (!convert && e.is_refusal())
                    {
                        return at::Tensor();
                    }
                    throw;
                }
                if (t.defined() && is_read_only_numpy(src)
                    && PyErr_WarnEx(PyExc_UserWarning,
                                    "at::Tensor parameter: the numpy array is read-only, and torch has no read-only "
                                    "tensors: writing to this tensor writes into the array. Pass a.copy() to keep "
                                    "its data as it is.",
                                    1)
                           != 0)
                {
                    throw_raised();  // warnings turned into errors
                }
                return t;
            }

            /// load_tensor as a loader, for the casters that keep one (nanobind's).
            class tensor_loader
            {
            public:

                bool load(PyObject* src, bool convert)
                {
                    m_value = load_tensor(src, convert);
                    return m_value.defined();
                }

                at::Tensor& value() noexcept
                {
                    return m_value;
                }

            private:

                at::Tensor m_value;
            };
        }
    }
}

#endif
