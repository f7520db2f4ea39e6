// The Catch2 v2 main of the C++ suite, compiled once (Catch2 v3 links its own: Catch2::Catch2WithMain).
#include <ATen/ATen.h>
#if !__has_include(<catch2/catch_test_macros.hpp>)
#define CATCH_CONFIG_MAIN
#endif
#include "catch.hpp"
