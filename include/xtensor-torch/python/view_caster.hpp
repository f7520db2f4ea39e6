// The binding-neutral half of the caster of xarray_view<T> and xtensor_view<T, N> parameters and results (views
// of the caller's memory), and python::as_xarray for bindings that choose the view in C++.
#ifndef XTENSOR_TORCH_PYTHON_VIEW_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_VIEW_CASTER_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include <optional>

#include "importers.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /// The checks of a view parameter (xtorch::detail::find_view_refusal's list, as xtorch::as_xarray's),
            /// raised as TypeError / ValueError with the fix in Python terms. `src` is the argument as passed,
            /// for messages; null where only the tensor is known.
            template <class T>
            void check_view_argument(const at::Tensor& t, PyObject* src,
                                     const xtorch::detail::call_site& what)
            {
                const std::int64_t rank = what.rank;
                using xtorch::detail::view_refusal;
                const c10::ScalarType dtype = scalar_type_of<T>();
                const view_refusal r =
                    xtorch::detail::find_view_refusal(t, dtype, rank, !std::is_const<T>::value);
                if (r == view_refusal::none)
                {
                    return;
                }
                xtorch::detail::refusal_parts parts = xtorch::detail::describe_view_refusal(
                    r, t, dtype, rank, xtorch::detail::audience::python);
                const std::string argument = src ? passed(src) : std::string("a torch.Tensor");
                if (r == view_refusal::python_dispatch)
                {
                    parts.found = argument + " with Python dispatch";
                }
                if (r == view_refusal::dtype)
                {
                    parts.found = argument + " of dtype " + parts.found;
                }
                const std::string fix = xtorch::detail::python_view_fix(r, t, dtype, rank);
                if (xtorch::detail::is_type_refusal(r))
                {
                    raise_type_error(what, parts.problem, parts.found, parts.expected, fix);
                }
                raise_value_error(what, parts.problem, parts.found, parts.expected, fix);
            }

            /**
             * What the casters of xarray_view<T> and xtensor_view<T, N> share, whichever binding library calls
             * them: a view of the caller's memory from a Python object (load, then take or kept), and a tensor
             * over a view's storage (to_python). Refusals are thrown as python_exception.
             */
            template <class V, class T, std::int64_t Rank>
            class view_loader
            {
            public:

                static_assert(is_supported_type_v<std::remove_cv_t<T>>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);

                /**
                 * Without conversions (the binding's first pass, or a noconvert() argument): a view of the caller's
                 * memory, or false. With them: a view of const elements reads a converted copy of what a view
                 * cannot take as it is (see converted_tensor), which lives as long as the view; a writable view
                 * never converts, and throws its refusal (TypeError for the argument's type, ValueError for its
                 * memory). A const view of another rank is left to the other overloads (the binding raises
                 * TypeError where none takes it).
                 */
                bool load(PyObject* src, bool convert)
                {
                    try
                    {
                        if (load_as_it_is(src))
                        {
                            return true;
                        }
                    }
                    catch (const python_exception& e)
                    {
                        if (!e.is_refusal())
                        {
                            throw;  // raised by Python code (a producer's __dlpack__): not a refusal of the argument
                        }
                        if (!convert)
                        {
                            return false;
                        }
                        if constexpr (std::is_const<T>::value)
                        {
                            const at::Tensor copy = converted_tensor(src, scalar_type_of<T>(), what);
                            if (copy.defined())
                            {
                                return load_converted(copy);
                            }
                        }
                        throw;
                    }
                    // No array of any kind: numbers and nested lists are read by a const view in the conversion pass.
                    if constexpr (std::is_const<T>::value)
                    {
                        if (convert && is_number_or_sequence(src))
                        {
                            const at::Tensor copy = converted_tensor(src, scalar_type_of<T>(), what);
                            return copy.defined() && load_converted(copy);
                        }
                    }
                    return false;
                }

                /// A tensor on the view's storage, as a new reference.
                static PyObject* to_python(const V& view)
                {
                    static_assert(
                        !std::is_const<T>::value,
                        "xtensor-torch: returning a view of const elements would give Python a writable "
                        "tensor over read-only memory. Return xt::xarray<T>(view) (a copy) instead.");
                    return wrap_tensor(xtorch::detail::share(const_cast<V&>(view), "xtorch::python::cast"));
                }

                /// The view for a by-value parameter, made in place from the parts (a prvalue: no copy, see
                /// view_parts); a copy of the kept one where a reference was asked for first.
                V take()
                {
                    return m_value ? V(*m_value) : std::move(*m_parts).make();
                }

                /// The view for reference and pointer parameters, kept for the call.
                V& kept()
                {
                    if (!m_value)
                    {
                        m_value.emplace(view_maker{std::move(*m_parts)});
                    }
                    return *m_value;
                }

            private:

                static constexpr auto what =
                    xtorch::detail::call_site::of<T>(Rank < 0 ? "xarray_view" : "xtensor_view", Rank).as_parameter();

                /// The view of src's own memory: true; false where src is no array of any kind; a refusal raises.
                bool load_as_it_is(PyObject* src)
                {
                    if (is_torch_tensor(src))
                    {
                        const borrowed_tensor t(src);
                        check_view_argument<T>(t.get(), src, what);
                        m_parts.emplace(xtorch::detail::make_view_parts<V, T>(t.get()));
                        return true;
                    }
                    at::Tensor t;
                    if (is_numpy_array(src))
                    {
                        // No tensor in between where the array is what the view wants: the view holds
                        // the storage alone. Otherwise a tensor is made only for the refusal's words.
                        numpy_memory memory = numpy_storage(src, what, !std::is_const<T>::value);
                        const auto& source = memory.source;
                        const auto rank = static_cast<std::int64_t>(source.g.sizes.size());
                        if (source.dtype == scalar_type_of<T>() && (Rank < 0 || rank == Rank))
                        {
                            m_parts.emplace(xtorch::detail::make_view_parts<V, T>(
                                memory.storage, source.offset, source.g.sizes, source.g.strides,
                                memory.contiguous));
                            return true;
                        }
                        t = xtorch::detail::tensor_over(std::move(memory.storage), source);
                    }
                    else
                    {
                        t = tensor_from_dlpack_or_none(src, what, !std::is_const<T>::value, scalar_type_of<T>(),
                                                       Rank);
                        if (!t.defined())
                        {
                            return false;
                        }
                    }
                    check_view_argument<T>(t, src, what);
                    m_parts.emplace(xtorch::detail::make_view_parts<V, T>(t));
                    return true;
                }

                /// A view over the converted copy; false (another overload's turn) where its rank is not the view's.
                bool load_converted(const at::Tensor& copy)
                {
                    if (Rank >= 0 && copy.dim() != Rank)
                    {
                        return false;
                    }
                    m_parts.emplace(xtorch::detail::make_view_parts<V, T>(copy));
                    return true;
                }

                /// Converts to V where the optional constructs it, so that the kept view is made in place.
                struct view_maker
                {
                    xtorch::detail::view_parts<V, T>&& parts;

                    operator V() const
                    {
                        return std::move(parts).make();
                    }
                };

                std::optional<xtorch::detail::view_parts<V, T>> m_parts;
                std::optional<V> m_value;  // views have no empty state to default-construct
            };
        }

        /**
         * xtorch::as_xarray<T>(t) for bound functions that take an at::Tensor and choose the view in
         * C++ (one binding for several dtypes): the same checks as an xarray_view<T> parameter, and
         * refusals raise TypeError / ValueError with the fix in Python terms (a python_exception, which the
         * translator that import_torch registers gives to Python). `what` names the argument.
         *
         * **Example**:  if (x.scalar_type() == at::kFloat) { auto v = xtorch::python::as_xarray<float>(x, "scale_(x)"); }
         */
        template <class T>
        xarray_view<T> as_xarray(const at::Tensor& t, const std::string& what)
        {
            detail::check_view_argument<T>(t, nullptr, xtorch::detail::call_site(what.c_str()));
            return xtorch::detail::make_view<xarray_view<T>, T>(t);
        }
    }
}

#endif
