// The binding-neutral half of the caster of xtensor expressions that C++ returns over memory it owns elsewhere (xt::strided_view,
// xt::reshape_view and xt::transpose of a member, xt::adapt of a buffer): a tensor over that memory that keeps
// its Python owner alive, as xtensor-python's casters do.
#ifndef XTENSOR_TORCH_PYTHON_EXPRESSION_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_EXPRESSION_CASTER_HPP

#include "common.hpp"  // first: Python.h before the standard headers

#include <type_traits>
#include <utility>

#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /// Whether E is a strided view without memory of its own over an expression with memory: xtensor's
            /// reshape_view, whose elements are its expression's in row-major order.
            template <class E>
            struct reshapes_memory : std::false_type
            {
            };

            template <class CT, class S, xt::layout_type L, class FST>
            struct reshapes_memory<xt::xstrided_view<CT, S, L, FST>>
                : std::bool_constant<!xt::has_data_interface<xt::xstrided_view<CT, S, L, FST>>::value
                                     && xt::has_data_interface<std::decay_t<CT>>::value>
            {
            };

            /**
             * Results only (a parameter of such a type would dangle: take xarray_view<T> instead). What the tensor
             * is over, in order:
             * - an expression that owns its memory (an adaptor over a moved container, a view of a temporary
             *   container): the tensor takes it, no copy;
             * - a view of a tensor's storage (of an xarray_view): that storage;
             * - memory owned elsewhere, returned from a method: that memory, and the tensor's storage holds the
             *   method's `self` (the binding's parent), so it outlives the object as reference_internal and
             *   keep_alive<0, 1> intend, also through x.numpy() and slices made from it;
             * - memory owned elsewhere with return_value_policy::reference / reference_internal and no parent: that
             *   memory, which C++ keeps alive;
             * - otherwise, or without memory (a lazy xt::strided_view of a function), a copy.
             * An xt::reshape_view of row-major memory is over that memory. Elements of a const type would be
             * writable from Python (torch has no read-only tensors): refused at compile time with the fix.
             */
            template <class E>
            class expression_output
            {
            public:

                using value_type = typename E::value_type;
                static_assert(is_supported_type_v<std::remove_cv_t<value_type>>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);

                static constexpr const char* what = "xtorch::python::cast";

                /// The tensor for e, as a new reference.
                static PyObject* to_python(E&& e, return_policy policy, PyObject* parent)
                {
                    if constexpr (xt::has_data_interface<E>::value && xtorch::detail::owns_memory<E>::value)
                    {
                        refuse_const<E>();
                        return wrap_tensor(xtorch::detail::share(std::move(e), what));
                    }
                    else
                    {
                        return to_python(static_cast<const E&>(e), policy, parent);
                    }
                }

                static PyObject* to_python(const E& e, return_policy policy, PyObject* parent)
                {
                    if constexpr (xt::has_data_interface<E>::value)
                    {
                        refuse_const<E>();
                        if (xtorch::detail::find_storage(e) != nullptr)
                        {
                            return wrap_tensor(xtorch::detail::share(e, what));  // the tensor's own storage
                        }
                        if (PyObject* shared = over_memory(xtorch::detail::expression_source(e), policy, parent))
                        {
                            return shared;
                        }
                    }
                    else if constexpr (reshapes_memory<E>::value)
                    {
                        const auto& memory = e.expression();
                        refuse_const<std::decay_t<decltype(memory)>>();
                        if (xtorch::detail::is_row_major(memory))
                        {
                            if (PyObject* shared = over_memory(
                                    xtorch::detail::expression_source(e, memory.data() + memory.data_offset()),
                                    policy, parent))
                            {
                                return shared;
                            }
                        }
                    }
                    return wrap_tensor(xtorch::to_tensor(e));
                }

            private:

                /// A tensor over the memory of s where the policy and the parent say who keeps it; null for a copy.
                static PyObject* over_memory(xtorch::detail::strided_source s, return_policy policy, PyObject* parent)
                {
                    xtorch::detail::settle_or_refuse(s, false, what, "expression", xtorch::detail::expression_fix);
                    if (parent != nullptr && policy != return_policy::copy)
                    {
                        Py_INCREF(parent);
                        return wrap_tensor(xtorch::detail::tensor_over(s, {parent, &release_py_object}));
                    }
                    if (policy == return_policy::reference || policy == return_policy::reference_internal
                        || policy == return_policy::automatic_reference)
                    {
                        return wrap_tensor(xtorch::detail::tensor_over(s));
                    }
                    return nullptr;
                }

                template <class M>
                static constexpr void refuse_const()
                {
                    static_assert(!xtorch::detail::is_read_only<M>::value,
                                  "xtensor-torch: returning a view of const elements would give Python a writable "
                                  "tensor over read-only memory (torch has no read-only tensors). Return a copy "
                                  "(xt::xarray<T>(e)) or a view of non-const elements instead.");
                }
            };
        }
    }
}

#endif
