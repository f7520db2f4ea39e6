// Catch2 v2 (Debian 12) or v3 (Debian 13 and later) behind one set of names: the test files include this.
#ifndef XTENSOR_TORCH_TESTS_CATCH_HPP
#define XTENSOR_TORCH_TESTS_CATCH_HPP

// Debian's libtorch 1.13 uses glog, whose CHECK macro collides with Catch's: the torch headers are parsed
// by now, so Catch may take the name.
#undef CHECK

#ifdef XTENSOR_TORCH_CATCH2_V3  // defined by tests/CMakeLists.txt from the Catch2 it found
#include <catch2/catch_approx.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

namespace xtorch_test::text
{
    inline auto Contains(const std::string& s)
    {
        return Catch::Matchers::ContainsSubstring(s);
    }
    using Catch::Approx;
    using Catch::Matchers::EndsWith;
    using Catch::Matchers::StartsWith;
}
#else
#include <catch2/catch.hpp>

namespace xtorch_test::text
{
    using Catch::Contains;
    using Catch::EndsWith;
    using Catch::StartsWith;
    using Catch::Detail::Approx;
}
#endif

#endif
