// The Catch2 main of the C++ suite: compiled once, linked into the test program.
#include <ATen/ATen.h>
#undef CHECK
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
