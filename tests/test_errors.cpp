// Tests of errors.hpp: the one exception type and the one message format of every refusal.
#include "test_common.hpp"

using namespace xtorch_test;

TEST_CASE("errors: conversion_error is a std::invalid_argument", "[errors]")
{
    static_assert(std::is_base_of<std::invalid_argument, xtorch::conversion_error>::value,
                  "callers that catch std::invalid_argument (or std::exception) catch every refusal");
    try
    {
        xtorch::detail::refuse("xtorch::f", "p", "a", "b", "Use g.");
        FAIL("refuse returned");
    }
    catch (const std::invalid_argument& e)
    {
        REQUIRE(std::string(e.what()) == "xtorch::f: p (found a, expected b). Use g.");
    }
}

TEST_CASE("errors: the message has the call, the problem, what was found and expected, then the fix",
          "[errors]")
{
    using xtorch::detail::refusal_message;
    REQUIRE(refusal_message("xtorch::as_xarray<float>", "dtype mismatch", "Double", "Float",
                            "Use xtorch::to_xarray<float>(t) to copy and cast instead.")
            == "xtorch::as_xarray<float>: dtype mismatch (found Double, expected Float). Use "
               "xtorch::to_xarray<float>(t) to copy and cast instead.");
    // Without a fix the message ends at the period: no trailing space.
    REQUIRE(refusal_message("c", "p", "f", "e", "") == "c: p (found f, expected e).");
}

TEST_CASE("errors: every library refusal follows the format", "[errors]")
{
    // One refusal of each public header that refuses at run time.
    const std::vector<std::string> messages = {
        refusal([] { xtorch::as_xarray<float>(at::zeros({2}, at::kDouble)); }),
        refusal([] { xtorch::to_xtensor<float, 3>(at::zeros({2})); }),
        refusal(
            []
            {
                xt::xarray<double> a = {1., 2., 3.};
                auto reversed = xt::view(a, xt::range(2, xt::placeholders::_, -1));
                xtorch::as_tensor(reversed);
            }),
        refusal([] { xtorch::to_tensor(xt::xarray<float>{1.f}, at::TensorOptions().layout(at::kSparse)); }),
    };
    for (const auto& m : messages)
    {
        CAPTURE(m);
        REQUIRE_THAT(m, text::StartsWith("xtorch::"));
        REQUIRE_THAT(m, text::Contains(": "));
        REQUIRE_THAT(m, text::Contains(" (found "));
        REQUIRE_THAT(m, text::Contains(", expected "));
        REQUIRE_THAT(m, text::Contains("). "));  // a fix follows
    }
}

TEST_CASE("errors: shapes are shown as C++ lists and Python tuples", "[errors]")
{
    using xtorch::detail::audience;
    using xtorch::detail::format_shape;
    REQUIRE(xtorch::detail::format_list(std::vector<int>{2, 3, 4}) == "[2, 3, 4]");
    REQUIRE(xtorch::detail::format_list(std::vector<int>{}) == "[]");
    REQUIRE(format_shape(std::vector<std::int64_t>{2, 3}, audience::cpp) == "[2, 3]");
    REQUIRE(format_shape(std::vector<std::int64_t>{2, 3}, audience::python) == "(2, 3)");
    REQUIRE(format_shape(std::vector<std::int64_t>{3}, audience::python) == "(3,)");  // Python's 1-tuple
    REQUIRE(format_shape(std::vector<std::int64_t>{}, audience::python) == "()");
}
