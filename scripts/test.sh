#!/usr/bin/env bash
# Builds and runs every test: the whole suite in a release build (C++ tests, examples, the Python
# modules' pytest suites and the notebooks), then the C++ and caster tests again under
# AddressSanitizer + UndefinedBehaviorSanitizer (a use-after-free, a leak or UB fails it), then the
# libFuzzer target for FUZZ_SECONDS (30) under the same sanitizers; the C++ tests are also built and run with
# clang, so that code only GCC accepts shows.
# Installs the Debian packages it needs when they are missing.
#   ./scripts/test.sh                  everything
#   SANITIZE=0 ./scripts/test.sh       skip the sanitizer build
#   CLANG=0 ./scripts/test.sh          skip the clang build
#   FUZZ_SECONDS=600 ./scripts/test.sh fuzz longer (0 skips the fuzzer)
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

FUZZ_SECONDS=${FUZZ_SECONDS:-30}
fuzz_packages=()
{ [ "$FUZZ_SECONDS" != 0 ] || [ "${CLANG:-1}" != 0 ]; } && fuzz_packages=(clang libclang-rt-14-dev)
ensure_packages "${XTENSOR_TORCH_BASE_PACKAGES[@]}" "${XTENSOR_TORCH_PYTHON_PACKAGES[@]}" "${fuzz_packages[@]}"

mkdir -p build
echo "== release build (build/release)"
configure build/release -DCMAKE_BUILD_TYPE=Release
cmake --build build/release -j"$JOBS"
echo "== release tests"
(cd build/release && ctest --output-on-failure -j"$JOBS")

if [ "${CLANG:-1}" != 0 ]; then
    echo "== clang build of the C++ tests and the headers on their own (build/clang)"
    # -O0: what this build checks is that clang compiles and runs the code, and the optimizer took over half
    # of its time; the release build above runs the suite optimized.
    configure build/clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS=-O0 \
        -DXTENSOR_TORCH_BUILD_EXAMPLES=OFF -DXTENSOR_TORCH_BUILD_PYTHON=OFF
    cmake --build build/clang -j"$JOBS" --target test_xtensor_torch headers_alone
    echo "== clang tests"
    build/clang/tests/test_xtensor_torch
fi

if [ "${SANITIZE:-1}" != 0 ]; then
    echo "== AddressSanitizer + UndefinedBehaviorSanitizer build (build/asan)"
    # -O0 -g1: a third of the compile time of -O1 -g, and the suite is small. The Catch2 cases run in one process:
    # a process's start under the sanitizers (libtorch loaded and instrumented) costs more than all the cases.
    configure build/asan -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O0 -g1" \
        -DXTENSOR_TORCH_SANITIZERS=address,undefined -DXTENSOR_TORCH_BUILD_EXAMPLES=OFF \
        -DXTENSOR_TORCH_TEST_EACH_CASE=OFF
    cmake --build build/asan -j"$JOBS"
    echo "== sanitizer tests"
    (cd build/asan &&
        ASAN_OPTIONS=detect_leaks=1:strict_init_order=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
            ctest --output-on-failure -j"$JOBS")
fi
if [ "$FUZZ_SECONDS" != 0 ]; then
    echo "== fuzzing for $FUZZ_SECONDS s (build/fuzz: clang, libFuzzer + ASan + UBSan)"
    configure build/fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O1 -g1" \
        -DXTENSOR_TORCH_BUILD_TESTS=OFF -DXTENSOR_TORCH_BUILD_EXAMPLES=OFF -DXTENSOR_TORCH_BUILD_FUZZERS=ON \
        -DXTENSOR_TORCH_FUZZ_SECONDS="$FUZZ_SECONDS"
    cmake --build build/fuzz -j"$JOBS"
    (cd build/fuzz && ctest --output-on-failure)
fi
echo "== all tests passed"
