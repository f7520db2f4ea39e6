// The caster of xtensor containers (xt::xarray, xt::xtensor, any allocator): a copy in, cast as torch casts;
// a move out.
#ifndef XTENSOR_TORCH_PYTHON_CONTAINER_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_CONTAINER_CASTER_HPP

#include <algorithm>
#include <array>

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
            /// The shape of xt::xtensor_fixed containers: fixed_shape<I...> (other containers: none).
            template <class C>
            struct fixed_shape_of
            {
                static constexpr bool fixed = false;
            };

            template <class ET, std::size_t... I, xt::layout_type L, bool SH, class Tag>
            struct fixed_shape_of<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>>
            {
                static constexpr bool fixed = true;
                static constexpr std::array<std::int64_t, sizeof...(I)> sizes = {static_cast<std::int64_t>(I)...};
            };

            /// The caster of xtensor containers: a copy in (cast as torch casts), a move out; xt::xtensor_fixed
            /// (its elements inline, so a copy out as well) takes exactly its shape.
            template <class C, std::int64_t Rank>
            struct container_caster
            {
                using value_type = typename C::value_type;
                static_assert(is_supported_type_v<std::remove_cv_t<value_type>>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);
                using fixed = fixed_shape_of<C>;

                static constexpr auto name = tensor_descr<value_type, Rank>::name;

                bool load(py::handle src, bool convert)
                {
                    constexpr auto what = xtorch::detail::call_site::of<value_type>(
                                              Rank < 0 ? "xt::xarray" : "xt::xtensor", Rank)
                                              .as_parameter();
                    at::Tensor t;
                    py::object copied;  // a numpy copy of src, alive while it is read
                    try
                    {
                        t = tensor_from_python(src, what, false);
                    }
                    catch (const py::builtin_exception&)
                    {
                        // What a view refuses but a copy can read (an unaligned, byte-swapped or oddly strided
                        // numpy array) goes through a numpy copy in the conversion pass; other refusals stand.
                        if (!convert)
                        {
                            return false;
                        }
                        if (!is_numpy_array(src) || (copied = numpy_copy(src)).is_none())
                        {
                            throw;
                        }
                        t = tensor_from_numpy(copied, what, false);
                    }
                    if (!t.defined())
                    {
                        // Numbers, numpy scalars and nested lists, as torch.tensor and numpy.asarray take them:
                        // only in the conversion pass, and an overload that takes them as they are wins.
                        if (!convert || !is_number_or_sequence(src) || (copied = numpy_copy(src)).is_none())
                        {
                            return false;
                        }
                        try
                        {
                            t = tensor_from_numpy(copied, what, false);
                        }
                        catch (const py::builtin_exception&)
                        {
                            return false;  // strings, objects: not numbers
                        }
                    }
                    if (!convert && t.scalar_type() != scalar_type_of<value_type>())
                    {
                        return false;
                    }
                    if (Rank >= 0 && t.dim() != Rank)
                    {
                        if (!convert)
                        {
                            return false;
                        }
                        const auto parts =
                            xtorch::detail::rank_refusal(t.sizes(), Rank, xtorch::detail::audience::python);
                        raise_type_error(what, parts.problem, parts.found, parts.expected,
                                         "Pass x.reshape(...) with " + std::to_string(Rank) + " dimensions.");
                    }
                    if constexpr (fixed::fixed)
                    {
                        if (!std::equal(fixed::sizes.begin(), fixed::sizes.end(), t.sizes().begin()))
                        {
                            if (!convert)
                            {
                                return false;
                            }
                            const std::string wanted =
                                xtorch::detail::format_shape(fixed::sizes, xtorch::detail::audience::python);
                            raise_type_error(what, "shape mismatch",
                                             "shape " + xtorch::detail::format_shape(t.sizes(),
                                                                                     xtorch::detail::audience::python),
                                             "shape " + wanted, "Pass an array of shape " + wanted + ".");
                        }
                    }
                    try
                    {
                        xtorch::detail::check_copyable<value_type>(t, what);
                        if constexpr (!fixed::fixed)  // a fixed container has its shape already
                        {
                            auto shape = xtorch::detail::shape_maker<typename C::shape_type>::make(
                                static_cast<std::size_t>(t.dim()));
                            std::copy(t.sizes().begin(), t.sizes().end(), shape.begin());
                            m_value = C::from_shape(shape);
                        }
                        xtorch::detail::copy_into(m_value, t, what);
                    }
                    catch (const conversion_error& e)
                    {
                        throw py::value_error(e.what());
                    }
                    return true;
                }

                static py::handle cast(C&& src, py::return_value_policy, py::handle)
                {
                    if constexpr (fixed::fixed)
                    {
                        return wrap_tensor(xtorch::to_tensor(src));  // inline elements: a tensor cannot take them
                    }
                    else
                    {
                        return wrap_tensor(xtorch::detail::share(std::move(src), "xtorch::python::cast"));
                    }
                }

                static py::handle cast(const C& src, py::return_value_policy policy, py::handle parent)
                {
                    if (policy == py::return_value_policy::reference_internal && parent)
                    {
                        // Borrowed from `parent`, which owns src. The storage holds the reference to the parent,
                        // not the one torch.Tensor returned: tensors and arrays made from that one (x.numpy(),
                        // x.detach(), slices, DLPack exports) share the storage and outlive it.
                        const auto source = xtorch::detail::import_expression(src, "xtorch::python::cast");
                        return wrap_tensor(xtorch::detail::tensor_over(
                            source, {parent.inc_ref().ptr(), &release_py_object}));
                    }
                    if (policy == py::return_value_policy::reference
                        || policy == py::return_value_policy::reference_internal)
                    {
                        // Borrowed with no Python owner to hold: C++ keeps src alive, as pybind11's
                        // `reference` means for its own classes.
                        return wrap_tensor(
                            xtorch::detail::share(const_cast<C&>(src), "xtorch::python::cast"));
                    }
                    return cast(C(src), policy, parent);
                }

                static py::handle cast(const C* src, py::return_value_policy policy, py::handle parent)
                {
                    if (src == nullptr)
                    {
                        return py::none().release();
                    }
                    return cast(*src, policy, parent);
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;

                operator C*()
                {
                    return &m_value;
                }
                operator C&()
                {
                    return m_value;
                }
                operator C&&() &&
                {
                    return std::move(m_value);
                }

            private:

                C m_value;
            };
        }
    }
}

namespace pybind11
{
    namespace detail
    {
        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_container<EC, L, SC, Tag>>
            : xtorch::python::detail::container_caster<xt::xarray_container<EC, L, SC, Tag>, -1>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_container<EC, N, L, Tag>>
            : xtorch::python::detail::container_caster<xt::xtensor_container<EC, N, L, Tag>,
                                                       static_cast<std::int64_t>(N)>
        {
        };

        template <class ET, std::size_t... I, xt::layout_type L, bool SH, class Tag>
        struct type_caster<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>>
            : xtorch::python::detail::container_caster<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>,
                                                       static_cast<std::int64_t>(sizeof...(I))>
        {
        };
    }
}

#endif
