// The type map between C++ value types and torch dtypes, checked at compile time both ways.
#ifndef XTENSOR_TORCH_DTYPE_HPP
#define XTENSOR_TORCH_DTYPE_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <complex>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include <c10/util/TypeCast.h>

#include "detail/refusal.hpp"

/**
 * The dtype table: one row per dtype of the map, from which everything else is derived (the C++ traits, the
 * run-time visit, messages, the Python and numpy names, numpy's kind and DLPack's type code; sizes and bits are
 * sizeof the C++ type). A new dtype is one row. Columns:
 *   C++ type | torch ScalarType | torch's Python name (numpy's too, where numpy has it) | numpy kind, or 0 where
 *   numpy has no such dtype | DLPack type code (kDLInt 0, kDLUInt 1, kDLFloat 2, kDLBfloat 4, kDLComplex 5,
 *   kDLBool 6)
 * c10::complex<float / double> share the layout of std::complex and map to the same dtypes (dtype_traits only).
 */
#define XTENSOR_TORCH_DTYPE_TABLE_BASE(ROW)                        \
    ROW(bool, Bool, "bool", 'b', 6)                                \
    ROW(std::uint8_t, Byte, "uint8", 'u', 1)                       \
    ROW(std::int8_t, Char, "int8", 'i', 0)                         \
    ROW(std::int16_t, Short, "int16", 'i', 0)                      \
    ROW(std::int32_t, Int, "int32", 'i', 0)                        \
    ROW(std::int64_t, Long, "int64", 'i', 0)                       \
    ROW(float, Float, "float32", 'f', 2)                           \
    ROW(double, Double, "float64", 'f', 2)                         \
    ROW(std::complex<float>, ComplexFloat, "complex64", 'c', 5)    \
    ROW(std::complex<double>, ComplexDouble, "complex128", 'c', 5) \
    ROW(c10::Half, Half, "float16", 'f', 2)                        \
    ROW(c10::BFloat16, BFloat16, "bfloat16", 0, 4)
#if XTENSOR_TORCH_HAS_WIDE_UNSIGNED
#define XTENSOR_TORCH_DTYPE_TABLE(ROW)           \
    XTENSOR_TORCH_DTYPE_TABLE_BASE(ROW)          \
    ROW(std::uint16_t, UInt16, "uint16", 'u', 1) \
    ROW(std::uint32_t, UInt32, "uint32", 'u', 1) \
    ROW(std::uint64_t, UInt64, "uint64", 'u', 1)
#else
#define XTENSOR_TORCH_DTYPE_TABLE(ROW) XTENSOR_TORCH_DTYPE_TABLE_BASE(ROW)
#endif

namespace xtorch
{
    /**
     * dtype_traits<T>::value is the torch dtype whose elements have the layout of T, and
     * dtype_traits<T>::name how messages spell T. Only the types of the table have one; everything else is
     * refused at compile time by scalar_type_of<T>().
     */
    template <class T>
    struct dtype_traits
    {
        static constexpr bool supported = false;
    };

#define XTENSOR_TORCH_DTYPE_TRAITS(CPP_TYPE, SCALAR_TYPE, ...)                 \
    template <>                                                                \
    struct dtype_traits<CPP_TYPE>                                              \
    {                                                                          \
        static constexpr bool supported = true;                                \
        static constexpr c10::ScalarType value = c10::ScalarType::SCALAR_TYPE; \
        static constexpr const char* name = #CPP_TYPE;                         \
    };
    XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_TRAITS)
    XTENSOR_TORCH_DTYPE_TRAITS(c10::complex<float>, ComplexFloat)
    XTENSOR_TORCH_DTYPE_TRAITS(c10::complex<double>, ComplexDouble)
#undef XTENSOR_TORCH_DTYPE_TRAITS

    /// True when T (const or not) is a value type of the map.
    template <class T>
    constexpr bool is_supported_type_v = dtype_traits<std::remove_cv_t<T>>::supported;

#define XTENSOR_TORCH_DTYPE_CPP_NAME(CPP_TYPE, ...) #CPP_TYPE ", "

/// The compile-time message for a value type without a torch dtype, listing the supported ones (scalar_type_of and
/// the Python casters stop with it). Not formatted: string literals around a macro that makes more of them.
// clang-format off
#define XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE                                                                  \
    "xtensor-torch: this value type has no torch dtype. Supported: "                                           \
    XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_CPP_NAME)                                                    \
    "c10::complex<float>, c10::complex<double>. Cast the expression first, e.g. xt::cast<double>(e)."
    // clang-format on

    /**
     * The torch dtype of the value type T, or a compile-time error that lists the supported types.
     *
     * **Example**: `xtorch::scalar_type_of<double>() == at::kDouble`
     */
    template <class T>
    constexpr c10::ScalarType scalar_type_of()
    {
        static_assert(is_supported_type_v<T>, XTENSOR_TORCH_UNSUPPORTED_TYPE_MESSAGE);
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

        /**
         * Calls f(type_tag<T>{}) with the C++ type T of the dtype st and returns true, or returns false
         * when st has no C++ type here (quantized types, for example).
         */
        template <class F>
        bool try_visit_dtype(c10::ScalarType st, F&& f)
        {
            switch (st)
            {
#define XTENSOR_TORCH_DTYPE_CASE(CPP_TYPE, SCALAR_TYPE, ...) \
    case c10::ScalarType::SCALAR_TYPE: f(type_tag<CPP_TYPE>{}); return true;
                XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_CASE)
#undef XTENSOR_TORCH_DTYPE_CASE
                default: return false;
            }
        }

        /// "Bool, Byte, Char, ...": the torch dtypes of the map, for messages.
        inline std::string supported_dtypes()
        {
            std::string names;
#define XTENSOR_TORCH_DTYPE_NAME(CPP_TYPE, SCALAR_TYPE, ...) \
    names += std::string(names.empty() ? "" : ", ") + c10::toString(c10::ScalarType::SCALAR_TYPE);
            XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_NAME)
#undef XTENSOR_TORCH_DTYPE_NAME
            return names;
        }

        /// torch's Python name of a dtype of the map ("float32"), or "" for others.
        inline const char* python_name_of(c10::ScalarType st)
        {
            switch (st)
            {
#define XTENSOR_TORCH_DTYPE_PYTHON(CPP_TYPE, SCALAR_TYPE, PYTHON_NAME, ...) \
    case c10::ScalarType::SCALAR_TYPE: return PYTHON_NAME;
                XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_PYTHON)
#undef XTENSOR_TORCH_DTYPE_PYTHON
                default: return "";
            }
        }

        /// torch's Python name of any dtype ("float32", "qint8"): the map's, the quantized ones torch names,
        /// else c10's name.
        inline std::string python_dtype_name(c10::ScalarType st)
        {
            if (const char* name = python_name_of(st); *name != '\0')
            {
                return name;
            }
            switch (st)
            {
                case c10::ScalarType::QInt8: return "qint8";
                case c10::ScalarType::QUInt8: return "quint8";
                case c10::ScalarType::QInt32: return "qint32";
                case c10::ScalarType::QUInt4x2: return "quint4x2";
                case c10::ScalarType::QUInt2x4: return "quint2x4";
                default: return c10::toString(st);
            }
        }

        // Every item size of the map is a power of two: a numpy array's byte strides become element strides by a
        // shift, and are checked by a mask (python::detail::numpy_storage).
#define XTENSOR_TORCH_DTYPE_SIZE_IS_POWER_OF_TWO(CPP_TYPE, ...)        \
    static_assert((sizeof(CPP_TYPE) & (sizeof(CPP_TYPE) - 1)) == 0, \
                  "the item sizes of the dtype map are powers of two");
        XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_SIZE_IS_POWER_OF_TWO)
#undef XTENSOR_TORCH_DTYPE_SIZE_IS_POWER_OF_TWO

        /// The dtype of the map with numpy kind `kind` ('b', 'u', 'i', 'f', 'c') and item size `size`, or Undefined.
        inline c10::ScalarType scalar_type_of_numpy(char kind, std::int64_t size)
        {
#define XTENSOR_TORCH_DTYPE_NUMPY(CPP_TYPE, SCALAR_TYPE, PYTHON_NAME, KIND, ...)              \
    if ((KIND) != 0 && kind == (KIND) && size == static_cast<std::int64_t>(sizeof(CPP_TYPE))) \
    {                                                                                         \
        return c10::ScalarType::SCALAR_TYPE;                                                  \
    }
            XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_NUMPY)
#undef XTENSOR_TORCH_DTYPE_NUMPY
            return c10::ScalarType::Undefined;
        }

        /// "bool, uint8, ...": the numpy dtypes of the map, for messages.
        inline std::string supported_numpy_dtypes()
        {
            std::string names;
#define XTENSOR_TORCH_DTYPE_NUMPY_NAME(CPP_TYPE, SCALAR_TYPE, PYTHON_NAME, KIND, ...) \
    if ((KIND) != 0)                                                                  \
    {                                                                                 \
        names += std::string(names.empty() ? "" : ", ") + PYTHON_NAME;                \
    }
            XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_NUMPY_NAME)
#undef XTENSOR_TORCH_DTYPE_NUMPY_NAME
            return names;
        }

        /**
         * The dtype of the map with DLPack type code `code` and `bits` bits, or Undefined. Bool (code 6) only
         * where `with_bool`: the DLPack header and torch must both have it.
         */
        inline c10::ScalarType scalar_type_of_dlpack(int code, int bits, bool with_bool)
        {
#define XTENSOR_TORCH_DTYPE_DLPACK(CPP_TYPE, SCALAR_TYPE, PYTHON_NAME, KIND, CODE)                      \
    if (code == (CODE) && bits == static_cast<int>(8 * sizeof(CPP_TYPE)) && ((CODE) != 6 || with_bool)) \
    {                                                                                                   \
        return c10::ScalarType::SCALAR_TYPE;                                                            \
    }
            XTENSOR_TORCH_DTYPE_TABLE(XTENSOR_TORCH_DTYPE_DLPACK)
#undef XTENSOR_TORCH_DTYPE_DLPACK
            return c10::ScalarType::Undefined;
        }

        /// As try_visit_dtype, but a dtype without a C++ type throws conversion_error naming `call`.
        template <class F>
        void visit_dtype(c10::ScalarType st, const call_site& call, F&& f)
        {
            if (!try_visit_dtype(st, std::forward<F>(f)))
            {
                refuse(
                    call, "unsupported dtype", c10::toString(st), "one of " + supported_dtypes(),
                    "Convert the tensor first, e.g. t.to(at::kFloat) (t.dequantize() for quantized tensors).");
            }
        }

        /// How messages spell the C++ type of dtype st ("float"), or null where it has none (quantized types).
        inline const char* cpp_name_of(c10::ScalarType st)
        {
            const char* name = nullptr;
            try_visit_dtype(st, [&](auto tag) { name = dtype_traits<typename decltype(tag)::type>::name; });
            return name;
        }

        /// Whether the dtype st has a C++ type here.
        inline bool is_supported(c10::ScalarType st)
        {
            return try_visit_dtype(st, [](auto) {});
        }

        /// The name of the C++ type of the dtype st, for messages ("double"), or the dtype's name.
        inline std::string type_name_of(c10::ScalarType st)
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
    }
}

#endif
