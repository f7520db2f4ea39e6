// nanobind type casters for xtensor-torch: bound C++ functions take and return torch tensors, numpy arrays and
// DLPack objects as xarray_view / xtensor_view, at::Tensor and xtensor containers, as with pybind11.hpp.
//
// Opt-in: not part of the umbrella header. Link the module with libtorch_python (the CMake target
// xtensor-torch::python does: find_package(xtensor-torch COMPONENTS python)) and call
// xtorch::python::import_torch(m) first in NB_MODULE.
//
// The same conversions as the pybind11 casters, from the same binding-neutral layer (python/):
//
//   parameter                 accepts                                      copies?
//   xarray_view<T>            torch.Tensor, numpy.ndarray, __dlpack__      never: writes are seen by the caller
//   xtensor_view<T, N>        the same, of rank N                          never
//   xarray_view<const T>      the same, read-only numpy arrays too;        no, where the memory can be viewed;
//                             with conversions also other dtypes,          else a copy for the call
//                             layouts and bits, numbers and nested lists
//   at::Tensor                the same, any dtype                          never: the caller's memory
//   xt::xarray<T>, xtensor,   the same; other dtypes are cast              always
//   xtensor_fixed             (xtensor_fixed: exactly its shape)
//
//   return value              gives
//   at::Tensor                the tensor (the same Python object when it came from Python)
//   xarray_view<T>            a tensor on the view's storage
//   xt::xarray<T>, xtensor    a tensor that took over the container's buffer (moved, not copied); a container
//                             returned by reference is copied, or borrowed under rv_policy::reference /
//                             reference_internal (which a function without a self refuses); xtensor_fixed: a copy
//   xt::strided_view, adapt,  a tensor over the C++ memory, holding the method's self (reference_internal,
//   reshape_view, transpose   keep_alive); an owning adaptor moves in; a free function's view is copied
//
// nanobind's conventions: conversions happen in its second pass over the overloads, or in its only pass where a
// function has one overload; nb::arg("x").noconvert() keeps a const view exact. A refusal in the pass that
// converts raises TypeError or ValueError with the library's message (nanobind itself would only say that no
// overload matched): the caster keeps the refusal and raises it when nanobind asks for the argument, before the
// function body runs. Results are torch tensors whatever framework the arguments came from.
//
// Usable beside pybind11.hpp in the same build (another module): the two share no type and no definition.
#ifndef XTENSOR_TORCH_NANOBIND_HPP
#define XTENSOR_TORCH_NANOBIND_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <nanobind/nanobind.h>

#include <cstdint>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

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
            /// nanobind's compile-time text, for tensor_descr.
            struct nanobind_namer
            {
                template <std::size_t N>
                static constexpr auto text(const char (&t)[N])
                {
                    return ::nanobind::detail::const_name(t);
                }

                template <std::int64_t Rank>
                static constexpr auto rank_text()
                {
                    constexpr std::size_t r = Rank < 0 ? 0 : static_cast<std::size_t>(Rank);
                    return ::nanobind::detail::const_name<(Rank < 0)>(
                        ::nanobind::detail::const_name(""),
                        ::nanobind::detail::const_name(", ndim=")
                            + ::nanobind::detail::int_to_str<r / 10, r % 10>::digits);
                }
            };

            template <class T, std::int64_t Rank>
            using nanobind_descr = tensor_descr<nanobind_namer, T, Rank>;

            inline return_policy policy_of(::nanobind::rv_policy p)
            {
                switch (p)
                {
                    case ::nanobind::rv_policy::reference: return return_policy::reference;
                    case ::nanobind::rv_policy::reference_internal: return return_policy::reference_internal;
                    case ::nanobind::rv_policy::automatic_reference: return return_policy::automatic_reference;
                    case ::nanobind::rv_policy::copy: return return_policy::copy;
                    default: return return_policy::owned;
                }
            }

            /**
             * f() as nanobind's from_cpp wants it (noexcept): a new reference, or null with the Python exception
             * set, which nanobind raises.
             */
            template <class F>
            ::nanobind::handle nanobind_result(F&& f) noexcept
            {
                try
                {
                    return ::nanobind::handle(std::forward<F>(f)());
                }
                catch (const python_exception& e)
                {
                    e.restore();
                }
                catch (const std::exception& e)
                {
                    PyErr_SetString(PyExc_RuntimeError, e.what());
                }
                return ::nanobind::handle();
            }

            /**
             * What from_python (noexcept) leaves for the call: a refusal of the pass that converts, raised when the
             * argument is asked for (inside nanobind's call, where exceptions become Python exceptions), since a
             * caster that only said no would lose its words to nanobind's "incompatible function arguments".
             */
            class kept_refusal
            {
            public:

                /// load(), with a refusal kept where `convert` (the last pass) and dropped, as no, before it.
                template <class Load>
                bool attempt(Load&& load, bool convert) noexcept
                {
                    try
                    {
                        return std::forward<Load>(load)();
                    }
                    catch (const python_exception& e)
                    {
                        if (!convert)
                        {
                            return false;
                        }
                        m_refusal = e;
                    }
                    catch (const std::exception& e)
                    {
                        if (!convert)
                        {
                            return false;
                        }
                        m_refusal = python_exception(PyExc_RuntimeError, e.what());
                    }
                    catch (...)
                    {
                        if (!convert)
                        {
                            return false;
                        }
                        m_refusal = python_exception(PyExc_RuntimeError, "xtensor-torch: an unknown C++ exception");
                    }
                    return true;  // this overload takes the argument, and its call raises the refusal
                }

                /// Raises the kept refusal, if any, as the Python exception it stands for.
                void raise_if_any() const
                {
                    if (m_refusal)
                    {
                        m_refusal->restore();
                        throw ::nanobind::python_error();
                    }
                }

            private:

                std::optional<python_exception> m_refusal;
            };

            /**
             * The parameter half of a nanobind caster over a binding-neutral loader (view_loader,
             * container_loader, tensor_loader): from_python loads, keeping a refusal of the converting pass, and loaded() gives
             * the loader to the cast operators, raising the refusal first.
             */
            template <class Loader>
            class nanobind_parameter
            {
            public:

                template <class U>
                static constexpr bool can_cast()
                {
                    return true;
                }

                bool from_python(::nanobind::handle src, std::uint8_t flags, ::nanobind::detail::cleanup_list*) noexcept
                {
                    const bool convert = (flags & static_cast<std::uint8_t>(::nanobind::detail::cast_flags::convert)) != 0;
                    return m_refusal.attempt([&] { return m_loader.load(src.ptr(), convert); }, convert);
                }

            protected:

                Loader& loaded()
                {
                    m_refusal.raise_if_any();
                    return m_loader;
                }

            private:

                Loader m_loader;
                kept_refusal m_refusal;
            };

            /// The caster of xarray_view<T> and xtensor_view<T, N>: a view of the caller's memory (view_loader).
            template <class V, class T, std::int64_t Rank>
            struct nanobind_view_caster : nanobind_parameter<view_loader<V, T, Rank>>
            {
                static constexpr auto Name = nanobind_descr<T, Rank>::name;

                template <class U>
                using Cast = std::conditional_t<std::is_pointer<std::remove_reference_t<U>>::value, V*,
                                                std::conditional_t<std::is_lvalue_reference<U>::value, V&, V>>;

                static ::nanobind::handle from_cpp(const V& view, ::nanobind::rv_policy,
                                                   ::nanobind::detail::cleanup_list*) noexcept
                {
                    return nanobind_result([&] { return view_loader<V, T, Rank>::to_python(view); });
                }

                static ::nanobind::handle from_cpp(const V* view, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    return view == nullptr ? ::nanobind::none().release() : from_cpp(*view, policy, cleanup);
                }

                explicit operator V*()
                {
                    return &this->loaded().kept();
                }
                explicit operator V&()
                {
                    return this->loaded().kept();
                }
                /// A by-value parameter: the view made in place from the parts (nanobind asks once per call).
                explicit operator V()
                {
                    return this->loaded().take();
                }
            };

            /**
             * The Python object that keeps a result's memory alive: the method's self (nanobind's cleanup->self()),
             * for any policy where `any_policy` (views of a member: the tensor holds self, as a method's view in
             * pybind11 does), else only for rv_policy::reference_internal. reference_internal from a function
             * without a self (a free function, a static method) has nothing to keep the memory: refused, where
             * nanobind before 2.13 dereferenced null.
             */
            inline PyObject* result_owner(::nanobind::rv_policy policy, ::nanobind::detail::cleanup_list* cleanup,
                                          bool any_policy)
            {
                PyObject* self = cleanup != nullptr ? cleanup->self() : nullptr;
                if (policy != ::nanobind::rv_policy::reference_internal)
                {
                    return any_policy ? self : nullptr;
                }
                if (self == nullptr)
                {
                    raise_type_error(xtorch::detail::call_site("xtorch::python::cast"),
                                     "a result returned with reference_internal needs a self to keep its memory alive",
                                     "a function without self", "a method",
                                     "Return it by value (a move), with rv_policy::copy, or with rv_policy::reference "
                                     "where C++ keeps the memory alive.");
                }
                return self;
            }

            /// The caster of xtensor containers: a copy in, a move out (container_loader).
            template <class C, std::int64_t Rank>
            struct nanobind_container_caster : nanobind_parameter<container_loader<C, Rank>>
            {
                using loader = container_loader<C, Rank>;

                static constexpr auto Name = nanobind_descr<typename C::value_type, Rank>::name;

                template <class U>
                using Cast = ::nanobind::detail::movable_cast_t<U>;

                static ::nanobind::handle from_cpp(C&& src, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    if (policy == ::nanobind::rv_policy::reference || policy == ::nanobind::rv_policy::reference_internal)
                    {
                        return from_cpp(static_cast<const C&>(src), policy, cleanup);  // an lvalue nanobind forwarded
                    }
                    return nanobind_result([&] { return loader::to_python(std::move(src)); });
                }

                static ::nanobind::handle from_cpp(const C& src, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    return nanobind_result(
                        [&] { return loader::to_python(src, policy_of(policy), result_owner(policy, cleanup, false)); });
                }

                static ::nanobind::handle from_cpp(const C* src, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    return src == nullptr ? ::nanobind::none().release() : from_cpp(*src, policy, cleanup);
                }

                explicit operator C*()
                {
                    return &this->loaded().value();
                }
                explicit operator C&()
                {
                    return this->loaded().value();
                }
                explicit operator C&&()
                {
                    return std::move(this->loaded().value());
                }
            };

            /// The caster of xtensor views and adaptors that C++ returns (expression_output): results only.
            template <class E>
            struct nanobind_expression_caster
            {
                using output = expression_output<E>;

                static constexpr auto Name = nanobind_descr<typename E::value_type, -1>::name;

                template <class U>
                using Cast = ::nanobind::detail::movable_cast_t<U>;

                template <class U>
                static constexpr bool can_cast()
                {
                    return true;
                }

                static ::nanobind::handle from_cpp(E&& e, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    return nanobind_result(
                        [&] { return output::to_python(std::move(e), policy_of(policy), result_owner(policy, cleanup, true)); });
                }

                static ::nanobind::handle from_cpp(const E& e, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    return nanobind_result(
                        [&] { return output::to_python(e, policy_of(policy), result_owner(policy, cleanup, true)); });
                }

                static ::nanobind::handle from_cpp(const E* e, ::nanobind::rv_policy policy,
                                                   ::nanobind::detail::cleanup_list* cleanup) noexcept
                {
                    return e == nullptr ? ::nanobind::none().release() : from_cpp(*e, policy, cleanup);
                }

                bool from_python(::nanobind::handle, std::uint8_t, ::nanobind::detail::cleanup_list*) noexcept
                {
                    return output::template refuse_parameter<E>();
                }
            };
        }

        /**
         * Imports torch and checks that it is the torch this module was built against (version and C++ ABI);
         * raises ImportError saying what differs otherwise. Call it first in NB_MODULE, with the module: the
         * casters need torch imported, and a mismatched libtorch fails later in obscure ways. It also registers
         * the translator that raises the refusals of functions such as python::as_xarray as the Python exceptions
         * they stand for.
         *
         * **Example**:  NB_MODULE(my_ext, m) { xtorch::python::import_torch(m); m.def(...); }
         */
        inline void import_torch(::nanobind::module_&)
        {
            try
            {
                detail::check_torch();
            }
            catch (const python_exception& e)
            {
                e.restore();
                throw ::nanobind::python_error();
            }
            // One translator for every nanobind module of this nanobind domain: registered once per process.
            static const bool registered = []
            {
                ::nanobind::register_exception_translator(
                    [](const std::exception_ptr& p, void*)
                    {
                        try
                        {
                            std::rethrow_exception(p);
                        }
                        catch (const python_exception& e)
                        {
                            e.restore();
                        }
                    });
                return true;
            }();
            (void)registered;
        }
    }
}

namespace nanobind
{
    namespace detail
    {
        template <class T>
        struct type_caster<xtorch::xarray_view<T>>
            : xtorch::python::detail::nanobind_view_caster<xtorch::xarray_view<T>, T, -1>
        {
        };

        template <class T, std::size_t N>
        struct type_caster<xtorch::xtensor_view<T, N>>
            : xtorch::python::detail::nanobind_view_caster<xtorch::xtensor_view<T, N>, T, static_cast<std::int64_t>(N)>
        {
        };

        /// at::Tensor (torch::Tensor): the caller's tensor itself, or a tensor over a numpy array's or a DLPack
        /// producer's memory (load_tensor). nanobind has no caster of its own for torch tensors.
        template <>
        struct type_caster<at::Tensor> : xtorch::python::detail::nanobind_parameter<xtorch::python::detail::tensor_loader>
        {
            using Value = at::Tensor;
            static constexpr auto Name = const_name("torch.Tensor");

            template <class U>
            using Cast = movable_cast_t<U>;

            static handle from_cpp(const at::Tensor& src, rv_policy, cleanup_list*) noexcept
            {
                return xtorch::python::detail::nanobind_result([&] { return xtorch::python::detail::wrap_tensor(src); });
            }

            static handle from_cpp(const at::Tensor* src, rv_policy policy, cleanup_list* cleanup) noexcept
            {
                return src == nullptr ? none().release() : from_cpp(*src, policy, cleanup);
            }

            explicit operator at::Tensor*()
            {
                return &loaded().value();
            }
            explicit operator at::Tensor&()
            {
                return loaded().value();
            }
            explicit operator at::Tensor&&()
            {
                return std::move(loaded().value());
            }
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_container<EC, L, SC, Tag>>
            : xtorch::python::detail::nanobind_container_caster<xt::xarray_container<EC, L, SC, Tag>, -1>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_container<EC, N, L, Tag>>
            : xtorch::python::detail::nanobind_container_caster<xt::xtensor_container<EC, N, L, Tag>,
                                                                 static_cast<std::int64_t>(N)>
        {
        };

        template <class ET, std::size_t... I, xt::layout_type L, bool SH, class Tag>
        struct type_caster<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>>
            : xtorch::python::detail::nanobind_container_caster<xt::xfixed_container<ET, xt::fixed_shape<I...>, L, SH, Tag>,
                                                                 static_cast<std::int64_t>(sizeof...(I))>
        {
        };

        // xarray_view<T> and xtensor_view<T, N> have their own caster (above): a more specialized match.
        template <class CT, class S, xt::layout_type L, class FST>
        struct type_caster<xt::xstrided_view<CT, S, L, FST>>
            : xtorch::python::detail::nanobind_expression_caster<xt::xstrided_view<CT, S, L, FST>>
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct type_caster<xt::xarray_adaptor<EC, L, SC, Tag>>
            : xtorch::python::detail::nanobind_expression_caster<xt::xarray_adaptor<EC, L, SC, Tag>>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct type_caster<xt::xtensor_adaptor<EC, N, L, Tag>>
            : xtorch::python::detail::nanobind_expression_caster<xt::xtensor_adaptor<EC, N, L, Tag>>
        {
        };
    }
}

#endif
