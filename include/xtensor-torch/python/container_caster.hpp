// The binding-neutral half of the caster of xtensor containers (xt::xarray, xt::xtensor, xt::xtensor_fixed, any
// allocator): a copy in, cast as torch casts; a move out.
#ifndef XTENSOR_TORCH_PYTHON_CONTAINER_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_CONTAINER_CASTER_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include <algorithm>
#include <array>

#include "importers.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
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
            class container_loader
            {
            public:

                using value_type = typename C::value_type;
                static_assert(is_supported_type_v<std::remove_cv_t<value_type>>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);
                using fixed = fixed_shape_of<C>;

                bool load(PyObject* src, bool convert)
                {
                    constexpr auto what = xtorch::detail::call_site::of<value_type>(
                                              Rank < 0 ? "xt::xarray" : "xt::xtensor", Rank)
                                              .as_parameter();
                    at::Tensor t;
                    object copied;  // a numpy copy of src, alive while it is read
                    try
                    {
                        t = tensor_from_python(src, what, false);
                    }
                    catch (const python_exception& e)
                    {
                        if (!e.is_refusal())
                        {
                            throw;
                        }
                        // What a view refuses but a copy can read (an unaligned, byte-swapped or oddly strided
                        // numpy array) goes through a numpy copy in the conversion pass; other refusals stand.
                        if (!convert)
                        {
                            return false;
                        }
                        if (!is_numpy_array(src) || !(copied = numpy_copy(src)))
                        {
                            throw;
                        }
                        t = tensor_from_numpy(copied.get(), what, false);
                    }
                    if (!t.defined())
                    {
                        // Numbers, numpy scalars and nested lists, as torch.tensor and numpy.asarray take them:
                        // only in the conversion pass, and an overload that takes them as they are wins.
                        if (!convert || !is_number_or_sequence(src) || !(copied = numpy_copy(src)))
                        {
                            return false;
                        }
                        try
                        {
                            t = tensor_from_numpy(copied.get(), what, false);
                        }
                        catch (const python_exception& e)
                        {
                            if (!e.is_refusal())
                            {
                                throw;
                            }
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
                        throw python_exception(PyExc_ValueError, e.what());
                    }
                    return true;
                }

                /// The container, loaded.
                C& value() noexcept
                {
                    return m_value;
                }

                /// A tensor that took over src's buffer (moved, not copied), as a new reference; xtensor_fixed's
                /// inline elements are copied.
                static PyObject* to_python(C&& src)
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

                /**
                 * A tensor for a container returned by reference: over its memory where the policy borrows it
                 * (reference_internal with a `parent`, the method's self, which the tensor keeps alive; reference,
                 * and reference_internal without a parent, with nothing to keep: C++ keeps src alive), else over a
                 * copy.
                 */
                static PyObject* to_python(const C& src, return_policy policy, PyObject* parent)
                {
                    if (policy == return_policy::reference_internal && parent != nullptr)
                    {
                        // Borrowed from `parent`, which owns src. The storage holds the reference to the parent,
                        // not the one torch.Tensor returned: tensors and arrays made from that one (x.numpy(),
                        // x.detach(), slices, DLPack exports) share the storage and outlive it.
                        const auto source = xtorch::detail::import_expression(src, "xtorch::python::cast");
                        Py_INCREF(parent);
                        return wrap_tensor(xtorch::detail::tensor_over(source, {parent, &release_py_object}));
                    }
                    if (policy == return_policy::reference || policy == return_policy::reference_internal)
                    {
                        // Borrowed with no Python owner to hold: C++ keeps src alive, as the binding's
                        // `reference` means for its own classes.
                        return wrap_tensor(xtorch::detail::share(const_cast<C&>(src), "xtorch::python::cast"));
                    }
                    return to_python(C(src));
                }

            private:

                C m_value;
            };
        }
    }
}

#endif
