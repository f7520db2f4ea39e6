// The caster of xarray_view<T> and xtensor_view<T, N> parameters and results (views of the caller's memory),
// and python::as_xarray for bindings that choose the view in C++.
#ifndef XTENSOR_TORCH_PYTHON_VIEW_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_VIEW_CASTER_HPP

#include <optional>

#include "common.hpp"
#include "importers.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace py = pybind11;

        namespace detail
        {
            /// The checks of a view parameter, in the order of xtorch::as_xarray's, with Python fixes.
            /// `src` is the argument as passed, for messages; null where only the tensor is known.
            template <class T>
            void check_view_argument(const at::Tensor& t, py::handle src, const std::string& what, std::int64_t rank)
            {
                if (t.layout() != c10::kStrided)
                {
                    raise_value_error(what, "can't view a tensor of " + xtorch::detail::to_text(t.layout()) + " layout",
                                      xtorch::detail::to_text(t.layout()) + " layout", "strided layout", "Pass x.to_dense().");
                }
                if (t.unsafeGetTensorImpl()->is_python_dispatch())
                {
                    raise_type_error(what, "views are not supported for tensor subclasses with Python dispatch",
                                     (src ? passed(src) : std::string("a tensor")) + " with Python dispatch",
                                     "a torch.Tensor without it",
                                     "Pass the plain tensor it stands for (for a DTensor, x.to_local() or "
                                     "x.full_tensor()), or bind the parameter as at::Tensor.");
                }
                if (t._is_zerotensor())
                {
                    raise_value_error(what, "can't view a ZeroTensor: it has no memory", "a ZeroTensor",
                                      "a tensor with memory", "Pass torch.zeros_like(x) (new memory).");
                }
                if (t.device().type() != c10::DeviceType::CPU)
                {
                    raise_value_error(what, "can't view a " + t.device().str() + " tensor from the CPU",
                                      "device " + t.device().str(), "device cpu",
                                      "Pass x.cpu() (a copy: writes made in C++ are not seen on the device).");
                }
                if (t.requires_grad())
                {
                    raise_value_error(what, "can't view a tensor that requires grad", "requires_grad=True",
                                      "requires_grad=False",
                                      "Pass x.detach() (autograd does not see writes made through the view).");
                }
                if (t.is_conj())
                {
                    raise_value_error(what, "can't view a tensor that has conjugate bit set", "conjugate bit set",
                                      "no conjugate bit", "Pass x.resolve_conj().");
                }
                if (t.is_neg())
                {
                    raise_value_error(what, "can't view a tensor that has negative bit set", "negative bit set",
                                      "no negative bit", "Pass x.resolve_neg().");
                }
                if (t.scalar_type() != scalar_type_of<T>())
                {
                    const std::string dtype = torch_dtype_name(scalar_type_of<T>());
                    // x.to(...) refuses quantized tensors: their integers and their values are separate copies.
                    const std::string fix = c10::isQIntType(t.scalar_type())
                                                ? "Pass x.int_repr() for its stored integers or x.dequantize() for "
                                                  "its values (copies: writes made in C++ are not seen in x)."
                                                : "Pass x.to(torch." + dtype + ") or a.astype(numpy." + dtype
                                                      + ") (a copy: writes made in C++ are not seen in x).";
                    raise_type_error(what, "dtype mismatch",
                                     (src ? passed(src) : std::string("a torch.Tensor")) + " of dtype " + torch_dtype_name(t.scalar_type()), dtype, fix);
                }
                if (rank >= 0 && t.dim() != rank)
                {
                    raise_value_error(what, "rank mismatch",
                                      "rank " + std::to_string(t.dim()) + ", shape " + py_tuple(t.sizes()),
                                      "rank " + std::to_string(rank), "Pass x.reshape(...) with " + std::to_string(rank)
                                          + " dimensions.");
                }
                for (std::int64_t d = 0; d < t.dim(); ++d)
                {
                    if (t.stride(d) < 0)
                    {
                        raise_value_error(what, "negative strides are not supported", "strides " + py_tuple(t.strides()),
                                          "non-negative strides", "Pass x.contiguous().");
                    }
                }
            }

            /// The caster of xarray_view<T> and xtensor_view<T, N>: a view of the caller's memory.
            template <class V, class T, std::int64_t Rank>
            struct view_caster
            {
                static constexpr auto name = tensor_descr<T, Rank>::name;

                bool load(py::handle src, bool convert)
                {
                    static const std::string what = Rank < 0 ? "xarray_view<" + type_name<T>() + "> parameter"
                                                             : "xtensor_view<" + type_name<T>() + ", "
                                                                   + std::to_string(Rank) + "> parameter";
                    try
                    {
                        if (is_torch_tensor(src.ptr()))
                        {
                            const borrowed_tensor t(src.ptr());
                            check_view_argument<T>(t.get(), src, what, Rank);
                            // Built in place: moving an xstrided_view costs as much as making one.
                            m_value.emplace(view_maker{t.get()});
                            return true;
                        }
                        const at::Tensor t = tensor_from_python(src, what, !std::is_const<T>::value);
                        if (!t.defined())
                        {
                            return false;
                        }
                        check_view_argument<T>(t, src, what, Rank);
                        m_value.emplace(view_maker{t});
                        return true;
                    }
                    catch (const py::builtin_exception&)
                    {
                        // Without conversions pybind11 may still find another overload; say why on the second pass.
                        if (!convert)
                        {
                            return false;
                        }
                        throw;
                    }
                }

                static py::handle cast(const V& view, py::return_value_policy, py::handle)
                {
                    static_assert(!std::is_const<T>::value,
                                  "xtensor-torch: returning a view of const elements would give Python a writable "
                                  "tensor over read-only memory. Return xt::xarray<T>(view) (a copy) instead.");
                    return wrap_tensor(xtorch::detail::share(const_cast<V&>(view), "xtorch::python::cast"));
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;

                operator V*()
                {
                    return &*m_value;
                }
                operator V&()
                {
                    return *m_value;
                }
                operator V&&() &&
                {
                    return std::move(*m_value);
                }

            private:

                /// Converts to V where the optional constructs it, so that the view is made in place.
                struct view_maker
                {
                    const at::Tensor& t;
                    operator V() const
                    {
                        return xtorch::detail::make_view<V, T>(t);
                    }
                };

                std::optional<V> m_value;  // views have no empty state to default-construct
            };
        }

        /**
         * xtorch::as_xarray<T>(t) for bound functions that take an at::Tensor and choose the view in
         * C++ (one binding for several dtypes): the same checks as an xarray_view<T> parameter, and
         * refusals raise TypeError / ValueError with the fix in Python terms. `what` names the argument.
         *
         * **Example**:  if (x.scalar_type() == at::kFloat) { auto v = xtorch::python::as_xarray<float>(x, "scale_(x)"); }
         */
        template <class T>
        xarray_view<T> as_xarray(const at::Tensor& t, const std::string& what)
        {
            if (!t.defined())
            {
                detail::raise_type_error(what, "the tensor is undefined", "None", "a tensor", "Pass a tensor.");
            }
            detail::check_view_argument<T>(t, py::handle(), what, -1);
            return xtorch::detail::make_view<xarray_view<T>, T>(t);
        }

        /// The name python::as_xarray had before the library's names followed the as_* / to_* rule.
        template <class T>
        [[deprecated("use xtorch::python::as_xarray<T>(t, what)")]] xarray_view<T> view_argument(const at::Tensor& t,
                                                                                               const std::string& what)
        {
            return python::as_xarray<T>(t, what);
        }
    }
}

namespace pybind11
{
    namespace detail
    {
        template <class T>
        struct type_caster<xtorch::xarray_view<T>>
            : xtorch::python::detail::view_caster<xtorch::xarray_view<T>, T, -1>
        {
        };

        template <class T, std::size_t N>
        struct type_caster<xtorch::xtensor_view<T, N>>
            : xtorch::python::detail::view_caster<xtorch::xtensor_view<T, N>, T, static_cast<std::int64_t>(N)>
        {
        };
    }
}

#endif
