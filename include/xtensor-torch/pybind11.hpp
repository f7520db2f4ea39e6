// pybind11 type casters for xtensor-torch: bound C++ functions take and return torch tensors, numpy
// arrays and DLPack objects as xarray_view / xtensor_view, at::Tensor and xtensor containers.
//
// Opt-in: not part of the umbrella header. Link the module with libtorch_python (the CMake target
// xtensor-torch::python does: find_package(xtensor-torch COMPONENTS python)) and call
// xtorch::python::import_torch() first in PYBIND11_MODULE.
//
// What each C++ type does at the boundary (pybind11's conventions: read-only parameters convert in its second
// pass, unless the argument is marked py::arg().noconvert(); writable ones never do):
//
//   parameter                 accepts                                      copies?
//   xarray_view<T>            torch.Tensor, numpy.ndarray, __dlpack__      never: writes are seen by the caller
//   xtensor_view<T, N>        the same, of rank N                          never
//   xarray_view<const T>      the same, read-only numpy arrays too;        no, where the memory can be viewed;
//                             in the conversion pass also other dtypes,    else a copy for the call (as
//                             layouts and bits, numbers and nested lists   py::array_t<T> and Eigen::Ref<const M>)
//   at::Tensor                the same, any dtype                          never: the caller's memory
//   xt::xarray<T>, xtensor,   the same; other dtypes are cast              always (pybind11's by-value rule)
//   xtensor_fixed             (xtensor_fixed: exactly its shape)
//
//   return value              gives
//   at::Tensor                the tensor (the same Python object when it came from Python)
//   xarray_view<T>            a tensor on the view's storage
//   xt::xarray<T>, xtensor    a tensor that took over the container's buffer (moved, not copied);
//                             a container returned by reference is copied, or borrowed under
//                             return_value_policy::reference / reference_internal; xtensor_fixed: a copy
//   xt::strided_view, adapt,  a tensor over the C++ memory, holding the method's self (reference_internal,
//   reshape_view, transpose   keep_alive); an owning adaptor moves in; a free function's view is copied
//
// Refusals raise TypeError where the argument's type does not fit (not an array, another dtype, rank, layout
// or device) and ValueError where its memory or state does (requires grad, conjugate or negative bit, negative
// or self-overlapping strides, read-only memory for a writable view), naming what was expected, what was passed,
// and what to pass instead. When a function has overloads, pybind11 first tries each without conversions: a
// refusal then only moves on to the next overload, and the detailed error is raised from the second pass, where
// it ends the search (a const view of another rank leaves it to the next overload). For one function over
// several dtypes, take an at::Tensor and choose in C++ with xtorch::python::as_xarray<T>(x, name).
//
// The casters are thin: what they do is the binding-neutral layer of python/ (over the CPython API), which the
// nanobind casters (nanobind.hpp) share.
//
// This header replaces torch's own caster for at::Tensor (torch/csrc/utils/pybind.h, which
// <torch/extension.h> includes), which takes torch.Tensor only. A module includes one or the other.
#ifndef XTENSOR_TORCH_PYBIND11_HPP
#define XTENSOR_TORCH_PYBIND11_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <pybind11/pybind11.h>

#include "xtensor-torch.hpp"

#include "python/common.hpp"
#include "python/container_caster.hpp"
#include "python/expression_caster.hpp"
#include "python/import_torch.hpp"
#include "python/importers.hpp"
#include "python/tensor_caster.hpp"
#include "python/torch_object.hpp"
#include "python/view_caster.hpp"

namespace xtorch
{
    namespace python
    {
        namespace detail
        {
            /// pybind11's compile-time text, for tensor_descr.
            struct pybind11_namer
            {
                template <std::size_t N>
                static constexpr auto text(const char (&t)[N])
                {
                    return pybind11::detail::const_name(t);
                }

                template <std::int64_t Rank>
                static constexpr auto rank_text()
                {
                    return pybind11::detail::const_name<(Rank < 0)>(
                        pybind11::detail::const_name(""),
                        pybind11::detail::const_name(", ndim=") + pybind11::detail::const_name<(Rank < 0 ? 0 : Rank)>());
                }
            };

            template <class T, std::int64_t Rank>
            using pybind11_descr = tensor_descr<pybind11_namer, T, Rank>;

            /// f(), with a python_exception given to pybind11 as the Python exception it stands for.
            template <class F>
            decltype(auto) pybind11_guard(F&& f)
            {
                try
                {
                    return std::forward<F>(f)();
                }
                catch (const python_exception& e)
                {
                    e.restore();
                    throw pybind11::error_already_set();
                }
            }

            inline return_policy policy_of(pybind11::return_value_policy p)
            {
                switch (p)
                {
                    case pybind11::return_value_policy::reference: return return_policy::reference;
                    case pybind11::return_value_policy::reference_internal: return return_policy::reference_internal;
                    case pybind11::return_value_policy::automatic_reference: return return_policy::automatic_reference;
                    case pybind11::return_value_policy::copy: return return_policy::copy;
                    default: return return_policy::owned;
                }
            }

            /// The caster of xarray_view<T> and xtensor_view<T, N>: a view of the caller's memory (view_loader).
            template <class V, class T, std::int64_t Rank>
            struct pybind11_view_caster
            {
                static constexpr auto name = pybind11_descr<T, Rank>::name;

                bool load(pybind11::handle src, bool convert)
                {
                    PyObject* object = src.ptr();  // no pybind11 type in the lambda: its visibility is hidden
                    return pybind11_guard([&] { return m_loader.load(object, convert); });
                }

                static pybind11::handle cast(const V& view, pybind11::return_value_policy, pybind11::handle)
                {
                    return pybind11::handle(pybind11_guard([&] { return view_loader<V, T, Rank>::to_python(view); }));
                }

                /**
                 * A by-value parameter gets the view made in place from the parts (a prvalue: no copy, see
                 * view_parts); reference and pointer parameters get a view the caster keeps for the call.
                 */
                template <class U>
                using cast_op_type =
                    std::conditional_t<std::is_pointer<std::remove_reference_t<U>>::value, V*,
                                       std::conditional_t<std::is_lvalue_reference<U>::value, V&, V>>;

                operator V*()
                {
                    return &m_loader.kept();
                }
                operator V&()
                {
                    return m_loader.kept();
                }
                operator V() &&
                {
                    return m_loader.take();
                }
                operator V() &
                {
                    return V(m_loader.kept());
                }

            private:

                view_loader<V, T, Rank> m_loader;
            };

            /// The caster of xtensor containers: a copy in, a move out (container_loader).
            template <class C, std::int64_t Rank>
            struct pybind11_container_caster
            {
                using loader = container_loader<C, Rank>;

                static constexpr auto name = pybind11_descr<typename C::value_type, Rank>::name;

                bool load(pybind11::handle src, bool convert)
                {
                    PyObject* object = src.ptr();  // no pybind11 type in the lambda: its visibility is hidden
                    return pybind11_guard([&] { return m_loader.load(object, convert); });
                }

                static pybind11::handle cast(C&& src, pybind11::return_value_policy, pybind11::handle)
                {
                    return pybind11::handle(pybind11_guard([&] { return loader::to_python(std::move(src)); }));
                }

                static pybind11::handle cast(const C& src, pybind11::return_value_policy policy, pybind11::handle parent)
                {
                    const return_policy how = policy_of(policy);
                    PyObject* owner = parent.ptr();
                    return pybind11::handle(pybind11_guard([&] { return loader::to_python(src, how, owner); }));
                }

                static pybind11::handle cast(const C* src, pybind11::return_value_policy policy, pybind11::handle parent)
                {
                    if (src == nullptr)
                    {
                        return pybind11::none().release();
                    }
                    return cast(*src, policy, parent);
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;

                operator C*()
                {
                    return &m_loader.value();
                }
                operator C&()
                {
                    return m_loader.value();
                }
                operator C&&() &&
                {
                    return std::move(m_loader.value());
                }

            private:

                loader m_loader;
            };

            /// The caster of xtensor views and adaptors that C++ returns (expression_output): results only.
            template <class E>
            struct pybind11_expression_caster
            {
                using output = expression_output<E>;

                static constexpr auto name = pybind11_descr<typename E::value_type, -1>::name;

                static pybind11::handle cast(E&& e, pybind11::return_value_policy policy, pybind11::handle parent)
                {
                    const return_policy how = policy_of(policy);
                    PyObject* owner = parent.ptr();
                    return pybind11::handle(pybind11_guard([&] { return output::to_python(std::move(e), how, owner); }));
                }

                static pybind11::handle cast(const E& e, pybind11::return_value_policy policy, pybind11::handle parent)
                {
                    const return_policy how = policy_of(policy);
                    PyObject* owner = parent.ptr();
                    return pybind11::handle(pybind11_guard([&] { return output::to_python(e, how, owner); }));
                }

                static pybind11::handle cast(const E* e, pybind11::return_value_policy policy, pybind11::handle parent)
                {
                    return e == nullptr ? pybind11::none().release() : cast(*e, policy, parent);
                }

                bool load(pybind11::handle, bool)
                {
                    return output::template refuse_parameter<E>();
                }

                template <class U>
                using cast_op_type = pybind11::detail::movable_cast_op_type<U>;
            };
        }

        /**
         * Imports torch and checks that it is the torch this module was built against (version and C++ ABI);
         * raises ImportError saying what differs otherwise. Call it first in PYBIND11_MODULE: the casters need
         * torch imported, and a mismatched libtorch fails later in obscure ways. It also registers, for this
         * module, the translator that raises the refusals of functions such as python::as_xarray as the Python
         * exceptions they stand for.
         */
        inline void import_torch()
        {
            detail::pybind11_guard([] { detail::check_torch(); });
            pybind11::register_local_exception_translator(
                [](std::exception_ptr p)
                {
                    try
                    {
                        if (p)
                        {
                            std::rethrow_exception(p);
                        }
                    }
                    catch (const python_exception& e)
                    {
                        e.restore();
                    }
                });
        }

        /// A torch.Tensor object for t (the same Python object where t came from Python).
        inline pybind11::object as_python(const at::Tensor& t)
        {
            return pybind11::reinterpret_steal<pybind11::object>(detail::pybind11_guard([&] { return detail::wrap_tensor(t); }));
        }
    }
}

namespace pybind11
{
    namespace detail
    {
        template <class T>
        struct type_caster<xtorch::xarray_view<T>>
            : xtorch::python::detail::pybind11_view_caster<xtorch::xarray_view<T>, T, -1>
        {
            // A constructor of its own: pybind11 value-initializes its argument casters (std::tuple's default
            // constructor), which zero-fills every byte of a caster whose constructor is implicit (room for a
            // view's parts and a kept view: hundreds of bytes) before each call.
            type_caster() noexcept {}
        };

        template <class T, std::size_t N>
        struct type_caster<xtorch::xtensor_view<T, N>>
            : xtorch::python::detail::pybind11_view_caster<xtorch::xtensor_view<T, N>, T, static_cast<std::int64_t>(N)>
        {
            type_caster() noexcept {}  // as for xarray_view: no zero-fill before each call
        };

        /**
         * at::Tensor (torch::Tensor): the caller's tensor itself, or a tensor over a numpy array's or a DLPack
         * producer's memory (load_tensor).
         *
         * A partial specialization, where torch's own (<torch/extension.h>) is an explicit one: in a
         * torch.utils.cpp_extension build, whichever header comes first, torch's explicit specialization is the
         * better match and at::Tensor parameters get torch's caster; elsewhere this one is used. One extension
         * module should not mix translation units with and without <torch/extension.h>: at::Tensor would have two
         * casters in one program.
         */
        template <class Tensor>
        struct type_caster<Tensor, std::enable_if_t<std::is_same<Tensor, at::Tensor>::value>>
        {
            PYBIND11_TYPE_CASTER(at::Tensor, const_name("torch.Tensor"));

            bool load(handle src, bool convert)
            {
                PyObject* object = src.ptr();
                value = xtorch::python::detail::pybind11_guard(
                    [&] { return xtorch::python::detail::load_tensor(object, convert); });
                return value.defined();
            }

            static handle cast(const at::Tensor& src, return_value_policy, handle)
            {
                return handle(xtorch::python::detail::pybind11_guard([&] { return xtorch::python::detail::wrap_tensor(src); }));
            }
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_container<EC, L, SC, Tag>>
            : xtorch::python::detail::pybind11_container_caster<xt::xarray_container<EC, L, SC, Tag>, -1>
        {
            type_caster() noexcept {}  // as for the views: no zero-fill of the caster before each call
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_container<EC, N, L, Tag>>
            : xtorch::python::detail::pybind11_container_caster<xt::xtensor_container<EC, N, L, Tag>,
                                                                static_cast<std::int64_t>(N)>
        {
            type_caster() noexcept {}  // as for the views: no zero-fill of the caster before each call
        };

        template <class ET, std::size_t... I, xt::layout_type L, bool SH, class Tag>
        struct type_caster<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>>
            : xtorch::python::detail::pybind11_container_caster<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>,
                                                                static_cast<std::int64_t>(sizeof...(I))>
        {
            type_caster() noexcept {}  // as for the views: no zero-fill of the caster before each call
        };

        // xarray_view<T> and xtensor_view<T, N>, strided views over a tensor's storage, have their own caster
        // (above): a more specialized match than this one.
        template <class CT, class S, xt::layout_type L, class FST>
        struct type_caster<xt::xstrided_view<CT, S, L, FST>>
            : xtorch::python::detail::pybind11_expression_caster<xt::xstrided_view<CT, S, L, FST>>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_adaptor<EC, L, SC, Tag>>
            : xtorch::python::detail::pybind11_expression_caster<xt::xarray_adaptor<EC, L, SC, Tag>>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_adaptor<EC, N, L, Tag>>
            : xtorch::python::detail::pybind11_expression_caster<xt::xtensor_adaptor<EC, N, L, Tag>>
        {
        };
    }
}

#endif
