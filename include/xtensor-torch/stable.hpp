// Views, tensors and operator kernels over torch::stable::Tensor, for operator libraries built on the LibTorch
// stable ABI (STABLE_TORCH_LIBRARY, TORCH_BOX): torch 2.10 or later, owning results 2.11 or later. It includes no
// ATen header, only the stable ABI's headers and xtensor, so that one binary serves later torch releases as well.
#ifndef XTENSOR_TORCH_STABLE_HPP
#define XTENSOR_TORCH_STABLE_HPP

// Not formatted: the message stays one line, as the compiler prints it.
// clang-format off
#if __cplusplus < 201703L
#error "xtensor-torch needs C++17 or later."
#endif

#include <torch/csrc/stable/library.h>
#include <torch/csrc/stable/ops.h>
#include <torch/csrc/stable/tensor.h>

#if !defined(TORCH_FEATURE_VERSION) || TORCH_FEATURE_VERSION < TORCH_VERSION_2_10_0
#error "<xtensor-torch/stable.hpp> needs the LibTorch stable ABI of torch 2.10 or later (torch::stable::Tensor, STABLE_TORCH_LIBRARY). With an older torch, use <xtensor-torch/kernel.hpp> and TORCH_LIBRARY."
#endif
// clang-format on

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/stable_views.hpp"

namespace xtorch
{
    namespace stable
    {
        /**
         * A view of the elements of the CPU stable tensor t, without copying; it holds t alive.
         *
         * **Example**:  auto v = xtorch::stable::as_xarray<const float>(x);  // inside a STABLE_TORCH_LIBRARY kernel
         */
        template <class T>
        xarray_view<T> as_xarray(const torch::stable::Tensor& t)
        {
            return detail::make_view<xarray_view<T>, T>(
                t, -1, "xtorch::stable::as_xarray" + detail::template_arguments<T>(-1));
        }

        /// The same with the static rank N.
        template <class T, std::size_t N>
        xtensor_view<T, N> as_xtensor(const torch::stable::Tensor& t)
        {
            constexpr auto rank = static_cast<std::int64_t>(N);
            return detail::make_view<xtensor_view<T, N>, T>(
                t, rank, "xtorch::stable::as_xtensor" + detail::template_arguments<T>(rank));
        }

        /**
         * A new CPU stable tensor with the values of the xtensor expression e (evaluated, whatever its layout),
         * of e's value type.
         *
         * **Example**:  torch::stable::Tensor out = xtorch::stable::to_tensor(xt::exp(v));
         */
        template <class E>
        torch::stable::Tensor to_tensor(const xt::xexpression<E>& expression)
        {
            const E& e = expression.derived_cast();
            using value_type = std::remove_const_t<typename E::value_type>;
            std::vector<std::int64_t> sizes(e.shape().begin(), e.shape().end());
            torch::stable::Tensor out = torch::stable::empty(sizes, scalar_type_of<value_type>());
            auto target = xt::adapt(static_cast<value_type*>(out.mutable_data_ptr()),
                                    static_cast<std::size_t>(out.numel()), xt::no_ownership(), e.shape());
            xt::noalias(target) = e;
            return out;
        }

#if TORCH_FEATURE_VERSION >= TORCH_VERSION_2_11_0
        /**
         * A CPU stable tensor that owns the moved xtensor container c (xt::xarray, xt::xtensor), without copying
         * its elements: the tensor's deleter frees the container (from_blob with a deleter, torch 2.11+).
         *
         * **Example**:  xt::xarray<float> a = ...;  torch::stable::Tensor t = xtorch::stable::as_tensor(std::move(a));
         */
        template <class C, class = std::enable_if_t<!std::is_lvalue_reference<C>::value>>
        torch::stable::Tensor as_tensor(C&& c)
        {
            using value_type = typename C::value_type;
            auto owner = std::make_unique<C>(std::move(c));
            std::vector<std::int64_t> sizes(owner->shape().begin(), owner->shape().end());
            std::vector<std::int64_t> strides(owner->strides().begin(), owner->strides().end());
            for (std::size_t d = 0; d < sizes.size(); ++d)
            {
                if (sizes[d] == 1)  // xtensor's 0 for size-1 dimensions: the contiguous stride, as torch has
                {
                    std::int64_t next = 1;
                    for (std::size_t k = d + 1; k < sizes.size(); ++k)
                    {
                        next *= sizes[k];
                    }
                    strides[d] = next;
                }
            }
            void* data = owner->data();
            C* held = owner.get();
            torch::stable::Tensor t = torch::stable::from_blob(
                data, sizes, strides, torch::stable::Device(torch::headeronly::DeviceType::CPU),
                scalar_type_of<value_type>(), [held](void*) { delete held; });
            owner.release();  // the tensor's deleter owns it now
            return t;
        }
#endif

        namespace detail
        {
            template <class P>
            struct stable_parameter
            {
                using type = P;

                static P take(P value, std::size_t)
                {
                    return value;
                }
            };

            template <>
            struct stable_parameter<float>
            {
                using type = double;

                static float take(double value, std::size_t)
                {
                    return static_cast<float>(value);
                }
            };

            template <class T>
            struct stable_parameter<xarray_view<T>>
            {
                using type = torch::stable::Tensor;

                static xarray_view<T> take(const torch::stable::Tensor& t, std::size_t position)
                {
                    return make_view<xarray_view<T>, T>(
                        t, -1, view_name<T>(-1) + " argument " + std::to_string(position));
                }
            };

            template <class T, std::size_t N>
            struct stable_parameter<xtensor_view<T, N>>
            {
                using type = torch::stable::Tensor;

                static xtensor_view<T, N> take(const torch::stable::Tensor& t, std::size_t position)
                {
                    return make_view<xtensor_view<T, N>, T>(t, static_cast<std::int64_t>(N),
                                                            view_name<T>(N) + " argument "
                                                                + std::to_string(position));
                }
            };

            template <class R>
            auto stable_result(R&& r)
            {
                using D = std::decay_t<R>;
                if constexpr (xt::is_xexpression<D>::value)
                {
                    return to_tensor(r);  // views and lazy expressions evaluated, never an input's alias
                }
                else if constexpr (std::is_same<D, float>::value)
                {
                    return static_cast<double>(r);
                }
                else
                {
                    return std::forward<R>(r);
                }
            }

            template <auto F, class Signature>
            struct stable_kernel_of;

            template <auto F, class R, class... P>
            struct stable_kernel_of<F, R (*)(P...)>
            {
                template <std::size_t... I, class... A>
                static auto call_with(std::index_sequence<I...>, A&&... args)
                {
                    if constexpr (std::is_void<R>::value)
                    {
                        F(stable_parameter<std::decay_t<P>>::take(std::forward<A>(args), I)...);
                    }
                    else
                    {
                        return stable_result(
                            F(stable_parameter<std::decay_t<P>>::take(std::forward<A>(args), I)...));
                    }
                }

                static auto call(typename stable_parameter<std::decay_t<P>>::type... args)
                {
                    return call_with(std::index_sequence_for<P...>{}, std::move(args)...);
                }
            };
        }

        /**
         * The kernel of the xtensor function F for the stable ABI, to box with TORCH_BOX: each view parameter
         * becomes a torch::stable::Tensor viewed without copying (refusals throw, torch raises them as
         * RuntimeError), float becomes double, and an xtensor expression result is evaluated into a new tensor.
         *
         * **Example**:  STABLE_TORCH_LIBRARY_IMPL(my_ops, CPU, m) { m.impl("softplus_mul", TORCH_BOX(xtorch::stable::kernel<&softplus_mul>)); }
         */
        template <auto F>
        constexpr auto kernel = &detail::stable_kernel_of<F, decltype(F)>::call;
    }
}

#endif
