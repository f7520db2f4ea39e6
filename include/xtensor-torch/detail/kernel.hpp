// What xtorch::kernel is made of: the dispatcher's type of each parameter of an xtensor function and how it is
// taken (views checked as kernel arguments), the tensor its result becomes, and the functor that joins them.
#ifndef XTENSOR_TORCH_DETAIL_KERNEL_HPP
#define XTENSOR_TORCH_DETAIL_KERNEL_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../dtype.hpp"
#include "call_site.hpp"
#include "ownership.hpp"
#include "refusal.hpp"
#include "view_refusals.hpp"
#include "view_types.hpp"
#include "xtensor.hpp"

namespace xtorch
{
    namespace detail
    {
        /**
         * The view checks of an operator kernel's argument (find_view_refusal's list, as for a view parameter
         * from Python), raised as torch's TypeError (c10::TypeError) or ValueError (c10::ValueError): what an
         * operator's caller sees from torch's own kernels.
         */
        template <class T>
        void check_kernel_argument(const at::Tensor& t, const call_site& call)
        {
            const c10::ScalarType dtype = scalar_type_of<T>();
            const view_refusal r = find_view_refusal(t, dtype, call.rank, !std::is_const<T>::value);
            if (r == view_refusal::none)
            {
                return;
            }
            const refusal_parts parts = describe_view_refusal(r, t, dtype, call.rank, audience::python);
            const std::string message = refusal_message(call, parts.problem, parts.found, parts.expected,
                                                        python_view_fix(r, t, dtype, call.rank));
            if (is_type_refusal(r))
            {
                TORCH_CHECK_TYPE(false, message);
            }
            TORCH_CHECK_VALUE(false, message);
        }

        /**
         * The schema's type of a C++ scalar: schemas have `float` (double) and `int` (int64_t), so narrower C++
         * parameters and results are widened to them, and a parameter narrowed back (an int out of range is
         * refused). Other types are their own schema type.
         */
        template <class S>
        struct schema_scalar
        {
            using type = S;
        };

        template <>
        struct schema_scalar<float>
        {
            using type = double;
        };

        template <>
        struct schema_scalar<int>
        {
            using type = std::int64_t;
        };

        template <class S>
        using schema_scalar_t = typename schema_scalar<S>::type;

        /// value, from the schema's type to the parameter's narrower S; an int that does not fit is refused.
        template <class S>
        S narrow_parameter(schema_scalar_t<S> value, std::size_t position)
        {
            if constexpr (std::is_same<S, int>::value)
            {
                if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max())
                {
                    TORCH_CHECK_VALUE(false,
                                      refusal_message(call_site("int").as_argument(position),
                                                      "the value does not fit the kernel's int parameter",
                                                      std::to_string(value), "a value of 32 bits",
                                                      "Take std::int64_t in the kernel."));
                }
            }
            (void)position;
            return static_cast<S>(std::move(value));
        }

        /// How a kernel takes a parameter of type P: the dispatcher's type, and the value f is called with.
        template <class P>
        struct kernel_parameter
        {
            using type = schema_scalar_t<P>;

            static P take(type value, std::size_t position)
            {
                return narrow_parameter<P>(std::move(value), position);
            }
        };

        template <class T>
        struct kernel_parameter<xarray_view<T>>
        {
            using type = const at::Tensor&;

            static xarray_view<T> take(const at::Tensor& t, std::size_t position)
            {
                check_kernel_argument<T>(t, call_site::of<T>("xarray_view").as_argument(position));
                return make_view<xarray_view<T>, T>(t);
            }
        };

        template <class T, std::size_t N>
        struct kernel_parameter<xtensor_view<T, N>>
        {
            using type = const at::Tensor&;

            static xtensor_view<T, N> take(const at::Tensor& t, std::size_t position)
            {
                check_kernel_argument<T>(
                    t, call_site::of<T>("xtensor_view", static_cast<std::int64_t>(N)).as_argument(position));
                return make_view<xtensor_view<T, N>, T>(t);
            }
        };

        template <class P>
        using kernel_parameter_t = typename kernel_parameter<std::decay_t<P>>::type;

        /// Whether E is an xtensor container that owns its elements on the heap: moved into the result tensor.
        template <class E>
        struct is_owning_container : std::false_type
        {
        };

        template <class EC, xt::layout_type L, class SC, class Tag>
        struct is_owning_container<xt::xarray_container<EC, L, SC, Tag>>
            : owns_memory<xt::xarray_container<EC, L, SC, Tag>>
        {
        };

        template <class EC, std::size_t N, xt::layout_type L, class Tag>
        struct is_owning_container<xt::xtensor_container<EC, N, L, Tag>>
            : owns_memory<xt::xtensor_container<EC, N, L, Tag>>
        {
        };

        /// What a kernel returns for a result of type R (decayed): a tensor for an xtensor expression.
        template <class R, class = void>
        struct kernel_result
        {
            using type = schema_scalar_t<R>;

            template <class M>
            static type make(R value, const M&)
            {
                return static_cast<type>(std::move(value));
            }
        };

        template <>
        struct kernel_result<void>
        {
            using type = void;
        };

        template <class R>
        struct kernel_result<R, std::enable_if_t<xt::is_xexpression<R>::value>>
        {
            using type = at::Tensor;

            /// `make` is xtorch::kernel's: a container moved into the tensor, any other expression evaluated.
            template <class E, class M>
            static at::Tensor make(E&& e, const M& make)
            {
                return make(std::forward<E>(e));
            }
        };

        template <class... R>
        struct kernel_result<std::tuple<R...>>
        {
            using type = std::tuple<typename kernel_result<std::decay_t<R>>::type...>;

            template <class Tuple, class M>
            static type make(Tuple&& results, const M& make)
            {
                return std::apply(
                    [&](auto&&... r) {
                        return type(
                            kernel_result<std::decay_t<R>>::make(std::forward<decltype(r)>(r), make)...);
                    },
                    std::forward<Tuple>(results));
            }
        };

        template <class R>
        using kernel_result_t = typename kernel_result<std::decay_t<R>>::type;

        /**
         * The kernel of xtorch::kernel: calls f with each argument taken as its parameter wants it, and makes its
         * result a tensor through `make` (M).
         */
        template <class F, class M, class R, class... P>
        class kernel_function
        {
        public:

            kernel_function(F f, M make)
                : m_f(std::move(f))
                , m_make(std::move(make))
            {
            }

            std::conditional_t<std::is_void<R>::value, void, kernel_result_t<R>> operator()(
                kernel_parameter_t<P>... args) const
            {
                return call(std::index_sequence_for<P...>{}, args...);
            }

        private:

            template <std::size_t... I, class... A>
            auto call(std::index_sequence<I...>, A&&... args) const
                -> std::conditional_t<std::is_void<R>::value, void, kernel_result_t<R>>
            {
                if constexpr (std::is_void<R>::value)
                {
                    m_f(kernel_parameter<std::decay_t<P>>::take(std::forward<A>(args), I)...);
                }
                else
                {
                    return kernel_result<std::decay_t<R>>::make(
                        m_f(kernel_parameter<std::decay_t<P>>::take(std::forward<A>(args), I)...), m_make);
                }
            }

            F m_f;
            M m_make;
        };

        /// The return and parameter types of a function pointer or a functor (a lambda).
        template <class F>
        struct callable_traits : callable_traits<decltype(&F::operator())>
        {
        };

        template <class R, class... P>
        struct callable_traits<R (*)(P...)>
        {
            template <class F, class M>
            using kernel = kernel_function<F, M, R, P...>;
        };

        template <class C, class R, class... P>
        struct callable_traits<R (C::*)(P...) const> : callable_traits<R (*)(P...)>
        {
        };

        template <class C, class R, class... P>
        struct callable_traits<R (C::*)(P...)> : callable_traits<R (*)(P...)>
        {
        };
    }
}

#endif
