// The caster of xtensor expressions that C++ returns over memory it owns elsewhere (xt::strided_view,
// xt::reshape_view and xt::transpose of a member, xt::adapt of a buffer): a tensor over that memory that keeps
// its Python owner alive, as xtensor-python's casters do.
#ifndef XTENSOR_TORCH_PYTHON_EXPRESSION_CASTER_HPP
#define XTENSOR_TORCH_PYTHON_EXPRESSION_CASTER_HPP

#include <type_traits>
#include <utility>

#include "common.hpp"
#include "torch_object.hpp"

namespace xtorch
{
    namespace python
    {
        namespace py = pybind11;

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
             *   method's `self` (pybind11's parent), so it outlives the object as reference_internal and
             *   keep_alive<0, 1> intend, also through x.numpy() and slices made from it;
             * - memory owned elsewhere with return_value_policy::reference / reference_internal and no parent: that
             *   memory, which C++ keeps alive;
             * - otherwise, or without memory (a lazy xt::strided_view of a function), a copy.
             * An xt::reshape_view of row-major memory is over that memory. Elements of a const type would be
             * writable from Python (torch has no read-only tensors): refused at compile time with the fix.
             */
            template <class E>
            struct expression_caster
            {
                using value_type = typename E::value_type;
                static_assert(is_supported_type_v<std::remove_cv_t<value_type>>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);

                static constexpr auto name = tensor_descr<value_type, -1>::name;
                static constexpr const char* what = "xtorch::python::cast";

                static py::handle cast(E&& e, py::return_value_policy policy, py::handle parent)
                {
                    if constexpr (xt::has_data_interface<E>::value && xtorch::detail::owns_memory<E>::value)
                    {
                        refuse_const<E>();
                        return wrap_tensor(xtorch::detail::share(std::move(e), what));
                    }
                    else
                    {
                        return cast(static_cast<const E&>(e), policy, parent);
                    }
                }

                static py::handle cast(const E& e, py::return_value_policy policy, py::handle parent)
                {
                    if constexpr (xt::has_data_interface<E>::value)
                    {
                        refuse_const<E>();
                        if (xtorch::detail::find_storage(e) != nullptr)
                        {
                            return wrap_tensor(xtorch::detail::share(e, what));  // the tensor's own storage
                        }
                        if (auto shared = over_memory(xtorch::detail::expression_source(e), policy, parent))
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
                            if (auto shared = over_memory(
                                    xtorch::detail::expression_source(e, memory.data() + memory.data_offset()),
                                    policy, parent))
                            {
                                return shared;
                            }
                        }
                    }
                    return wrap_tensor(xtorch::to_tensor(e));
                }

                static py::handle cast(const E* e, py::return_value_policy policy, py::handle parent)
                {
                    return e == nullptr ? py::none().release() : cast(*e, policy, parent);
                }

                /// Results only: loading one from Python always fails, so such a parameter matches no call.
                bool load(py::handle, bool)
                {
                    static_assert(
                        sizeof(E) == 0,
                        "xtensor-torch: an xtensor view or adaptor parameter would refer to memory the call does "
                        "not keep. Take xtorch::xarray_view<T> (a view of the caller's memory) or xt::xarray<T> "
                        "(a copy) instead.");
                    return false;
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;

            private:

                /// A tensor over the memory of s where the policy and the parent say who keeps it; null for a copy.
                static py::handle over_memory(xtorch::detail::strided_source s, py::return_value_policy policy,
                                              py::handle parent)
                {
                    xtorch::detail::settle_or_refuse(s, false, what, "expression", xtorch::detail::expression_fix);
                    if (parent && policy != py::return_value_policy::copy)
                    {
                        return wrap_tensor(
                            xtorch::detail::tensor_over(s, {parent.inc_ref().ptr(), &release_py_object}));
                    }
                    if (policy == py::return_value_policy::reference
                        || policy == py::return_value_policy::reference_internal
                        || policy == py::return_value_policy::automatic_reference)
                    {
                        return wrap_tensor(xtorch::detail::tensor_over(s));
                    }
                    return py::handle();
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

namespace pybind11
{
    namespace detail
    {
        // xarray_view<T> and xtensor_view<T, N>, strided views over a tensor's storage, have their own caster
        // (view_caster.hpp): a more specialized match than this one.
        template <class CT, class S, xt::layout_type L, class FST>
        struct type_caster<xt::xstrided_view<CT, S, L, FST>>
            : xtorch::python::detail::expression_caster<xt::xstrided_view<CT, S, L, FST>>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_adaptor<EC, L, SC, Tag>>
            : xtorch::python::detail::expression_caster<xt::xarray_adaptor<EC, L, SC, Tag>>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_adaptor<EC, N, L, Tag>>
            : xtorch::python::detail::expression_caster<xt::xtensor_adaptor<EC, N, L, Tag>>
        {
        };
    }
}

#endif
