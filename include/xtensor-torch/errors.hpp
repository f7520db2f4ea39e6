// The one exception type for refused conversions, and the one format of its messages.
#ifndef XTENSOR_TORCH_ERRORS_HPP
#define XTENSOR_TORCH_ERRORS_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <sstream>
#include <stdexcept>
#include <string>

namespace xtorch
{
    /**
     * Thrown by every conversion that xtensor-torch refuses.
     *
     * The message always has four parts, in this order: the call that refused, what it found, what it
     * expected, and the call that would work instead. For example:
     *
     *     xtorch::as_xarray<float>: dtype mismatch (found Double, expected Float).
     *     Use xtorch::to_xarray<float>(t) to copy and cast instead.
     */
    class conversion_error : public std::invalid_argument
    {
    public:

        using std::invalid_argument::invalid_argument;
    };

    namespace detail
    {
        /// Builds the message of a conversion_error: "<call>: <problem> (found <found>, expected <expected>). <fix>"
        inline std::string refusal_message(const std::string& call, const std::string& problem,
                                           const std::string& found, const std::string& expected,
                                           const std::string& fix)
        {
            std::ostringstream out;
            out << call << ": " << problem << " (found " << found << ", expected " << expected << ").";
            if (!fix.empty())
            {
                out << ' ' << fix;
            }
            return out.str();
        }

        [[noreturn]] inline void refuse(const std::string& call, const std::string& problem,
                                        const std::string& found, const std::string& expected,
                                        const std::string& fix)
        {
            throw conversion_error(refusal_message(call, problem, found, expected, fix));
        }

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
    }
}

#endif
