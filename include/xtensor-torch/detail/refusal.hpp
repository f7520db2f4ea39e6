// The one format of every refusal's message ("<call>: <problem> (found <found>, expected <expected>). <fix>"),
// its throw as conversion_error, and how messages spell lists, layouts and devices.
#ifndef XTENSOR_TORCH_DETAIL_REFUSAL_HPP
#define XTENSOR_TORCH_DETAIL_REFUSAL_HPP

#include "../config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <sstream>
#include <string>

#include "../errors.hpp"
#include "call_site.hpp"

namespace xtorch
{
    namespace detail
    {
        /// Builds the message of a conversion_error: "<call>: <problem> (found <found>, expected <expected>). <fix>"
        inline std::string refusal_message(const call_site& call, const std::string& problem,
                                           const std::string& found, const std::string& expected,
                                           const std::string& fix)
        {
            std::ostringstream out;
            out << call.text() << ": " << problem << " (found " << found << ", expected " << expected << ").";
            if (!fix.empty())
            {
                out << ' ' << fix;
            }
            return out.str();
        }

        [[noreturn]] inline void refuse(const call_site& call, const std::string& problem,
                                        const std::string& found, const std::string& expected,
                                        const std::string& fix)
        {
            throw conversion_error(refusal_message(call, problem, found, expected, fix));
        }

        /// The fix of every refusal of an undefined tensor in C++.
        constexpr const char* fix_undefined_tensor =
            "Pass a tensor made by a factory such as at::empty or torch::zeros.";

        /// "[2, 3, 4]": how shapes and strides are shown in messages.
        template <class C>
        std::string format_list(const C& values)
        {
            std::ostringstream out;
            out << '[';
            bool first = true;
            for (const auto& v : values)
            {
                out << (first ? "" : ", ") << v;
                first = false;
            }
            out << ']';
            return out.str();
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
