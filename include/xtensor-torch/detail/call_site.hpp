// The name of the call that refuses, as its caller wrote it ("xtorch::as_xarray<const float>", "xtensor_view<int, 2>
// parameter"): one small value every refusal carries, spelled only when a message is built.
#ifndef XTENSOR_TORCH_DETAIL_CALL_SITE_HPP
#define XTENSOR_TORCH_DETAIL_CALL_SITE_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

namespace xtorch
{
    template <class T>
    struct dtype_traits;  // dtype.hpp, which includes this header through refusal.hpp

    namespace detail
    {
        /**
         * A call as messages name it. Making one costs a few stores and no allocation, so every call makes it
         * up front and the text is built only when a refusal needs it. The strings are not owned: literals,
         * dtype_traits names, or a caller's text that outlives the call.
         */
        struct call_site
        {
            const char* name;  // "xtorch::as_xarray", "xarray_view", or a caller's own name
            const char* element =
                nullptr;             // the element type argument ("float"); null when the call has none
            bool is_const = false;   // whether the element type was written const
            std::int64_t rank = -1;  // the rank argument; -1 when the call has none
            bool parameter = false;  // a Python parameter of this type, not a call
            std::int32_t argument =
                -1;  // the position of an operator kernel's argument of this type; -1: none

            /// A call without template arguments: "xtorch::to_tensor".
            constexpr call_site(const char* call) noexcept
                : name(call)
            {
            }

            /// A call of `function` with element type T (const kept) and `rank` (-1: none).
            template <class T>
            static constexpr call_site of(const char* function, std::int64_t rank = -1) noexcept
            {
                call_site c(function);
                c.element = dtype_traits<std::remove_cv_t<T>>::name;
                c.is_const = std::is_const<T>::value;
                c.rank = rank;
                return c;
            }

            /// The same call, as the parameter of a Python binding: "xarray_view<float> parameter".
            constexpr call_site as_parameter() const noexcept
            {
                call_site c = *this;
                c.parameter = true;
                return c;
            }

            /// The same call, as argument `position` of an operator kernel: "xarray_view<float> argument 0".
            constexpr call_site as_argument(std::size_t position) const noexcept
            {
                call_site c = *this;
                c.argument = static_cast<std::int32_t>(position);
                return c;
            }

            /// The same call with another element type (the call that would view what was found).
            constexpr call_site with_element(const char* other) const noexcept
            {
                call_site c = *this;
                c.element = other;
                return c;
            }

            /// The same call without a rank argument (the call that takes any rank).
            constexpr call_site any_rank() const noexcept
            {
                call_site c = *this;
                c.rank = -1;
                return c;
            }

            /// "xtorch::as_xtensor<const float, 2>", "xarray_view<double> parameter".
            std::string text() const
            {
                std::string out = name;
                if (element != nullptr)
                {
                    out += '<';
                    out += is_const ? "const " : "";
                    out += element;
                    if (rank >= 0)
                    {
                        out += ", " + std::to_string(rank);
                    }
                    out += '>';
                }
                if (argument >= 0)
                {
                    out += " argument " + std::to_string(argument);
                }
                return parameter ? out + " parameter" : out;
            }
        };
    }
}

#endif
