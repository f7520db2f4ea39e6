// The views of the stable ABI's header: the dtype map, the view types over torch::stable::Tensor and how they
// are made and refused. Included by <xtensor-torch/stable.hpp> only, after its version checks; no ATen header.
#ifndef XTENSOR_TORCH_DETAIL_STABLE_VIEWS_HPP
#define XTENSOR_TORCH_DETAIL_STABLE_VIEWS_HPP

#include <torch/csrc/stable/library.h>
#include <torch/csrc/stable/ops.h>
#include <torch/csrc/stable/tensor.h>

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

#include "buffer.hpp"
#include "inline_shape.hpp"
#include "refusal_parts.hpp"
#include "xtensor.hpp"

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
            xt::xstrided_view<tensor_flat<T>, inline_shape<std::size_t>, xt::layout_type::dynamic>;

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
                return xtorch::detail::assemble_view<V>(
                    xtorch::detail::held_buffer<T, torch::stable::Tensor>(t, first, span), std::move(shape),
                    std::move(strides), 0, xt::layout_type::dynamic);
            }
        }
    }
}

#endif
