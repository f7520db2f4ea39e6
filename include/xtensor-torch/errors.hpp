// The one exception type of refused conversions; detail/refusal.hpp makes its one message format.
#ifndef XTENSOR_TORCH_ERRORS_HPP
#define XTENSOR_TORCH_ERRORS_HPP

#include "config.hpp"  // first: it stops a compilation below C++17 with a clear message

#include <stdexcept>

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
}

#endif
