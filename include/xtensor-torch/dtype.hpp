// The type map between C++ value types and torch dtypes, checked at compile time both ways.
#ifndef XTENSOR_TORCH_DTYPE_HPP
#define XTENSOR_TORCH_DTYPE_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>
#include <sstream>
#include <utility>

#include <c10/util/TypeCast.h>

#include "errors.hpp"

namespace xtorch
{
    /**
     * dtype_traits<T>::value is the torch dtype whose elements have the layout of T, and
     * dtype_traits<T>::name how messages spell T. Only the types below have one; everything else is
     * refused at compile time by scalar_type_of<T>().
     *
     * std::complex<T> and c10::complex<T> share one layout (two T, real first), so both map to the
     * complex dtypes.
     */
    template <class T>
    struct dtype_traits
    {
        static constexpr bool supported = false;
    };

#define XTENSOR_TORCH_DTYPE(CPP_TYPE, SCALAR_TYPE)                            \
    template <>                                                              \
    struct dtype_traits<CPP_TYPE>                                            \
    {                                                                        \
        static constexpr bool supported = true;                              \
        static constexpr c10::ScalarType value = c10::ScalarType::SCALAR_TYPE; \
        static constexpr const char* name = #CPP_TYPE;                       \
    };

    XTENSOR_TORCH_DTYPE(bool, Bool)
    XTENSOR_TORCH_DTYPE(std::uint8_t, Byte)
    XTENSOR_TORCH_DTYPE(std::int8_t, Char)
    XTENSOR_TORCH_DTYPE(std::int16_t, Short)
    XTENSOR_TORCH_DTYPE(std::int32_t, Int)
    XTENSOR_TORCH_DTYPE(std::int64_t, Long)
    XTENSOR_TORCH_DTYPE(float, Float)
    XTENSOR_TORCH_DTYPE(double, Double)
    XTENSOR_TORCH_DTYPE(std::complex<float>, ComplexFloat)
    XTENSOR_TORCH_DTYPE(std::complex<double>, ComplexDouble)
    XTENSOR_TORCH_DTYPE(c10::complex<float>, ComplexFloat)
    XTENSOR_TORCH_DTYPE(c10::complex<double>, ComplexDouble)
    XTENSOR_TORCH_DTYPE(c10::Half, Half)
    XTENSOR_TORCH_DTYPE(c10::BFloat16, BFloat16)
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
    XTENSOR_TORCH_DTYPE(std::uint16_t, UInt16)
    XTENSOR_TORCH_DTYPE(std::uint32_t, UInt32)
    XTENSOR_TORCH_DTYPE(std::uint64_t, UInt64)
#endif

#undef XTENSOR_TORCH_DTYPE

    /// True when T (const or not) is a value type of the map.
    template <class T>
    constexpr bool is_supported_type_v = dtype_traits<std::remove_cv_t<T>>::supported;

    /**
     * The torch dtype of the value type T, or a compile-time error that lists the supported types.
     *
     * **Example**: `xtorch::scalar_type_of<double>() == at::kDouble`
     */
    template <class T>
    constexpr c10::ScalarType scalar_type_of()
    {
        static_assert(is_supported_type_v<T>,
                      "xtensor-torch: this value type has no torch dtype. Supported: bool, std::uint8_t, "
                      "std::int8_t, std::int16_t, std::int32_t, std::int64_t, float, double, "
                      "std::complex<float>, std::complex<double> (or c10::complex), c10::Half, c10::BFloat16"
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
                      ", std::uint16_t, std::uint32_t, std::uint64_t"
#endif
                      ". Cast the expression first, e.g. xt::cast<double>(e).");
        return dtype_traits<std::remove_cv_t<T>>::value;
    }

    /// How messages spell T: "float", "std::int64_t", "c10::Half".
    template <class T>
    std::string type_name()
    {
        return dtype_traits<std::remove_cv_t<T>>::name;
    }

    namespace detail
    {
        template <class T>
        struct type_tag
        {
            using type = T;
        };

        /// The value types visit_dtype hands out, one per torch dtype (std::complex for the complex ones).
        constexpr const char* supported_dtypes =
            "Bool, Byte, Char, Short, Int, Long, Float, Double, ComplexFloat, ComplexDouble, Half, BFloat16"
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
            ", UInt16, UInt32, UInt64"
#endif
            ;

        /**
         * Calls f(type_tag<T>{}) with the C++ type T of the dtype st and returns true, or returns false
         * when st has no C++ type here (quantized types, for example). The one list of the map at run time.
         */
        template <class F>
        bool try_visit_dtype(c10::ScalarType st, F&& f)
        {
            switch (st)
            {
                case c10::ScalarType::Bool: f(type_tag<bool>{}); return true;
                case c10::ScalarType::Byte: f(type_tag<std::uint8_t>{}); return true;
                case c10::ScalarType::Char: f(type_tag<std::int8_t>{}); return true;
                case c10::ScalarType::Short: f(type_tag<std::int16_t>{}); return true;
                case c10::ScalarType::Int: f(type_tag<std::int32_t>{}); return true;
                case c10::ScalarType::Long: f(type_tag<std::int64_t>{}); return true;
                case c10::ScalarType::Float: f(type_tag<float>{}); return true;
                case c10::ScalarType::Double: f(type_tag<double>{}); return true;
                case c10::ScalarType::ComplexFloat: f(type_tag<std::complex<float>>{}); return true;
                case c10::ScalarType::ComplexDouble: f(type_tag<std::complex<double>>{}); return true;
                case c10::ScalarType::Half: f(type_tag<c10::Half>{}); return true;
                case c10::ScalarType::BFloat16: f(type_tag<c10::BFloat16>{}); return true;
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
                case c10::ScalarType::UInt16: f(type_tag<std::uint16_t>{}); return true;
                case c10::ScalarType::UInt32: f(type_tag<std::uint32_t>{}); return true;
                case c10::ScalarType::UInt64: f(type_tag<std::uint64_t>{}); return true;
#endif
                default: return false;
            }
        }

        /// As try_visit_dtype, but a dtype without a C++ type throws conversion_error naming `call`.
        template <class F>
        void visit_dtype(c10::ScalarType st, const std::string& call, F&& f)
        {
            if (!try_visit_dtype(st, std::forward<F>(f)))
            {
                refuse(call, "unsupported dtype", c10::toString(st), std::string("one of ") + supported_dtypes,
                       "Convert the tensor first, e.g. t.to(at::kFloat) (t.dequantize() for quantized tensors).");
            }
        }

        /// Whether the dtype st has a C++ type here.
        inline bool is_mapped(c10::ScalarType st)
        {
            return try_visit_dtype(st, [](auto) {});
        }

        /// The name of the C++ type of the dtype st, for messages ("double"), or the dtype's name.
        inline std::string cpp_name_of(c10::ScalarType st)
        {
            std::string name = c10::toString(st);
            try_visit_dtype(st, [&](auto tag) { name = type_name<typename decltype(tag)::type>(); });
            return name;
        }

        template <class T>
        struct is_complex : std::false_type
        {
        };
        template <class T>
        struct is_complex<std::complex<T>> : std::true_type
        {
        };
        template <class T>
        struct is_complex<c10::complex<T>> : std::true_type
        {
        };

        /// The c10 spelling of a value type: c10::complex for std::complex, the type itself otherwise.
        template <class T>
        struct c10_type
        {
            using type = T;
        };
        template <class T>
        struct c10_type<std::complex<T>>
        {
            using type = c10::complex<T>;
        };

        /**
         * Converts one value exactly as torch's own casts do (c10::static_cast_with_inter_type):
         * complex to real keeps the real part, float to uint8 goes through int64, and so on.
         */
        template <class To, class From>
        inline To convert_value(const From& v)
        {
            using F = typename c10_type<From>::type;
            using U = typename c10_type<To>::type;
            if constexpr (std::is_same<To, From>::value)
            {
                return v;
            }
            else
            {
                const U r = c10::static_cast_with_inter_type<U, F>::apply(F(v));
                if constexpr (is_complex<To>::value)
                {
                    return To(r.real(), r.imag());
                }
                else
                {
                    return r;
                }
            }
        }

        /// How messages show a layout, a device or a dtype ("Sparse", "cuda:0").
        template <class T>
        std::string to_text(const T& value)
        {
            std::ostringstream out;
            out << value;
            return out.str();
        }
    }
}

#endif
