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

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/buffer.hpp"
#include "detail/refusal_parts.hpp"
#include "detail/xtensor.hpp"

namespace xtorch
{
    namespace stable
    {
        using torch::headeronly::ScalarType;

        /// The stable ABI's dtype of the value type T (const or not); other types are refused at compile time.
        template <class T>
        struct dtype_traits
        {
            static constexpr bool supported = false;
        };

#define XTENSOR_TORCH_STABLE_DTYPE(CPP_TYPE, SCALAR_TYPE, NAME, PYTHON_NAME) \
    template <>                                                              \
    struct dtype_traits<CPP_TYPE>                                            \
    {                                                                        \
        static constexpr bool supported = true;                              \
        static constexpr ScalarType value = ScalarType::SCALAR_TYPE;         \
        static constexpr const char* name = NAME;                            \
        static constexpr const char* python_name = PYTHON_NAME;              \
    };
        XTENSOR_TORCH_STABLE_DTYPE(bool, Bool, "bool", "bool")
        XTENSOR_TORCH_STABLE_DTYPE(std::uint8_t, Byte, "std::uint8_t", "uint8")
        XTENSOR_TORCH_STABLE_DTYPE(std::int8_t, Char, "std::int8_t", "int8")
        XTENSOR_TORCH_STABLE_DTYPE(std::int16_t, Short, "std::int16_t", "int16")
        XTENSOR_TORCH_STABLE_DTYPE(std::int32_t, Int, "std::int32_t", "int32")
        XTENSOR_TORCH_STABLE_DTYPE(std::int64_t, Long, "std::int64_t", "int64")
        XTENSOR_TORCH_STABLE_DTYPE(float, Float, "float", "float32")
        XTENSOR_TORCH_STABLE_DTYPE(double, Double, "double", "float64")
#undef XTENSOR_TORCH_STABLE_DTYPE

        /// torch's Python name of dtype st ("float32"), or its code where the table has none.
        inline std::string dtype_name(ScalarType st)
        {
            switch (st)
            {
#define XTENSOR_TORCH_STABLE_DTYPE_NAME(CPP_TYPE) \
    case dtype_traits<CPP_TYPE>::value: return dtype_traits<CPP_TYPE>::python_name;
                XTENSOR_TORCH_STABLE_DTYPE_NAME(bool)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(std::uint8_t)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(std::int8_t)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(std::int16_t)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(std::int32_t)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(std::int64_t)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(float)
                XTENSOR_TORCH_STABLE_DTYPE_NAME(double)
#undef XTENSOR_TORCH_STABLE_DTYPE_NAME
                default: return "dtype code " + std::to_string(static_cast<int>(st));
            }
        }

        template <class T>
        constexpr ScalarType scalar_type_of()
        {
            static_assert(
                dtype_traits<std::remove_cv_t<T>>::supported,
                "xtensor-torch stable: this value type has no dtype here. Supported: bool, std::uint8_t, "
                "std::int8_t, std::int16_t, std::int32_t, std::int64_t, float, double.");
            return dtype_traits<std::remove_cv_t<T>>::value;
        }
    }

    namespace detail
    {
        template <>
        struct holder_traits<torch::stable::Tensor>
        {
            [[noreturn]] static void refuse_resize(std::size_t asked, std::size_t size)
            {
                throw std::invalid_argument(
                    "xtorch::stable view: a view over a tensor cannot be resized (found "
                    + std::to_string(asked) + " elements asked for, expected " + std::to_string(size)
                    + " elements, the tensor's). Assign an expression of the view's shape.");
            }
        };
    }

    namespace stable
    {
        /// A 1-d xtensor adaptor over the elements a stable tensor reaches; the views are strided views of it.
        template <class T>
        using tensor_flat =
            xt::xtensor_adaptor<detail::held_buffer<T, torch::stable::Tensor>, 1, xt::layout_type::row_major>;

        /// An xtensor expression over the memory of a CPU torch::stable::Tensor, holding the tensor alive.
        template <class T>
        using xarray_view =
            xt::xstrided_view<tensor_flat<T>, xt::dynamic_shape<std::size_t>, xt::layout_type::dynamic>;

        /// The same with the static rank N.
        template <class T, std::size_t N>
        using xtensor_view =
            xt::xstrided_view<tensor_flat<T>, std::array<std::size_t, N>, xt::layout_type::dynamic>;

        namespace detail
        {
            [[noreturn]] inline void refuse(const std::string& call, const std::string& problem,
                                            const std::string& found, const std::string& expected,
                                            const std::string& fix)
            {
                throw std::invalid_argument(call + ": " + problem + " (found " + found + ", expected "
                                            + expected + "). " + fix);
            }

            /// torch's name of a device type ("cuda"), or its code for the rarer ones.
            inline std::string device_name(torch::headeronly::DeviceType type)
            {
                switch (type)
                {
                    case torch::headeronly::DeviceType::CPU: return "cpu";
                    case torch::headeronly::DeviceType::CUDA: return "cuda";
                    case torch::headeronly::DeviceType::Meta: return "meta";
                    case torch::headeronly::DeviceType::XPU: return "xpu";
                    case torch::headeronly::DeviceType::MPS: return "mps";
                    default: return "device type " + std::to_string(static_cast<int>(type));
                }
            }

            /// "<const float>", "<double, 2>": the template arguments of a call or a view type, for messages.
            template <class T>
            std::string template_arguments(std::int64_t rank)
            {
                return std::string("<") + (std::is_const<T>::value ? "const " : "")
                       + dtype_traits<std::remove_cv_t<T>>::name
                       + (rank < 0 ? std::string() : ", " + std::to_string(rank)) + ">";
            }

            /// "xarray_view<const float>", "xtensor_view<double, 2>": how a view type is named in messages.
            template <class T>
            std::string view_name(std::int64_t rank)
            {
                return (rank < 0 ? "xarray_view" : "xtensor_view") + template_arguments<T>(rank);
            }

            template <class S>
            struct is_std_array : std::false_type
            {
            };

            template <class I, std::size_t N>
            struct is_std_array<std::array<I, N>> : std::true_type
            {
            };

            /**
             * A view of type V over t: refused unless t is a defined CPU tensor of T's dtype, of rank `rank` (-1:
             * any), without negative strides. `what` names the view in messages.
             */
            template <class V, class T>
            V make_view(const torch::stable::Tensor& t, std::int64_t rank, const std::string& what)
            {
                if (!t.defined())
                {
                    refuse(what, "the tensor is undefined", "an undefined tensor", "a defined tensor",
                           "Pass a tensor.");
                }
                if (!t.is_cpu())
                {
                    const auto parts = xtorch::detail::device_refusal(device_name(t.device().type()));
                    refuse(what, parts.problem, parts.found, parts.expected, "Pass x.cpu().");
                }
                if (t.scalar_type() != scalar_type_of<T>())
                {
                    const std::string expected = dtype_traits<std::remove_cv_t<T>>::python_name;
                    refuse(what, "dtype mismatch", dtype_name(t.scalar_type()), expected,
                           "Pass x.to(torch." + expected + ") (a copy: writes are not seen in x).");
                }
                if (rank >= 0 && t.dim() != rank)
                {
                    refuse(what, "rank mismatch", "rank " + std::to_string(t.dim()),
                           "rank " + std::to_string(rank),
                           "Pass x.reshape(...) with " + std::to_string(rank) + " dimensions.");
                }
                using shape_type = typename V::shape_type;
                using strides_type = typename V::strides_type;
                const auto dims = static_cast<std::size_t>(t.dim());
                shape_type shape{};
                strides_type strides{};
                if constexpr (!is_std_array<shape_type>::value)
                {
                    shape.resize(dims);
                    strides.resize(dims);
                }
                std::size_t span = t.numel() > 0 ? 1 : 0;
                for (std::size_t d = 0; d < dims; ++d)
                {
                    const std::int64_t size = t.size(static_cast<std::int64_t>(d));
                    const std::int64_t stride = t.stride(static_cast<std::int64_t>(d));
                    if (stride < 0 && size > 1)
                    {
                        std::string text = "(";
                        for (std::size_t k = 0; k < dims; ++k)
                        {
                            text += (k ? ", " : "") + std::to_string(t.stride(static_cast<std::int64_t>(k)));
                        }
                        const auto parts = xtorch::detail::negative_stride_refusal("tensor", text + ")");
                        refuse(what, parts.problem, parts.found, parts.expected, "Pass x.contiguous().");
                    }
                    shape[d] = static_cast<std::size_t>(size);
                    strides[d] = size == 1 ? 0 : static_cast<std::ptrdiff_t>(stride);
                    if (span > 0)
                    {
                        span += static_cast<std::size_t>((size - 1) * stride);
                    }
                }
                T* first = nullptr;
                if constexpr (std::is_const<T>::value)
                {
                    first = static_cast<T*>(t.const_data_ptr());
                }
                else
                {
                    first = static_cast<T*>(t.mutable_data_ptr());
                }
                tensor_flat<T> flat(xtorch::detail::held_buffer<T, torch::stable::Tensor>(t, first, span),
                                    {span});
                return V(std::move(flat), std::move(shape), std::move(strides), 0, xt::layout_type::dynamic);
            }
        }

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
