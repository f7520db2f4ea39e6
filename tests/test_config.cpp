// Tests of config.hpp: the version CMake reads, the torch version test, and reads and writes of memory.
#include "test_common.hpp"

using namespace xtorch_test;

TEST_CASE("config: the version macros are the version of the CMake package", "[config]")
{
    // CMake's project version is read from config.hpp; the build passes it back as text.
    const std::string version = std::to_string(XTENSOR_TORCH_VERSION_MAJOR) + "."
                                + std::to_string(XTENSOR_TORCH_VERSION_MINOR) + "."
                                + std::to_string(XTENSOR_TORCH_VERSION_PATCH);
    REQUIRE(version == XTENSOR_TORCH_TEST_PROJECT_VERSION);
}

TEST_CASE("config: XTENSOR_TORCH_TORCH_AT_LEAST compares major, then minor", "[config]")
{
    STATIC_REQUIRE(XTENSOR_TORCH_TORCH_AT_LEAST(TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR));
    STATIC_REQUIRE(XTENSOR_TORCH_TORCH_AT_LEAST(TORCH_VERSION_MAJOR - 1, 99));
    STATIC_REQUIRE_FALSE(XTENSOR_TORCH_TORCH_AT_LEAST(TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR + 1));
    STATIC_REQUIRE_FALSE(XTENSOR_TORCH_TORCH_AT_LEAST(TORCH_VERSION_MAJOR + 1, 0));
    // The version text agrees with the version numbers the macro reads.
    const std::string version = TORCH_VERSION;
    REQUIRE_THAT(version, text::StartsWith(std::to_string(TORCH_VERSION_MAJOR) + "."
                                           + std::to_string(TORCH_VERSION_MINOR) + "."));
}

TEST_CASE("config: reads see the memory, writes get memory of their own first", "[config]")
{
    at::Tensor t = at::arange(4, at::kFloat);
    REQUIRE(xtorch::detail::const_data(t) == t.data_ptr());
    REQUIRE(xtorch::detail::mutable_data(t) == t.data_ptr());
    REQUIRE(xtorch::detail::mutable_data(t.storage()) == t.storage().data());
#if XTENSOR_TORCH_TORCH_AT_LEAST(2, 2)
    // A lazy clone shares the memory until one side writes: a write must not land in the original.
    at::Tensor clone = at::_lazy_clone(t);
    REQUIRE(xtorch::detail::const_data(clone) == xtorch::detail::const_data(t));
    auto* written = static_cast<float*>(xtorch::detail::mutable_data(clone));
    REQUIRE(static_cast<const void*>(written) != xtorch::detail::const_data(t));
    written[0] = 42.f;
    REQUIRE(t[0].item<float>() == 0.f);
#endif
}
