#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU and a PyTorch 2.x with CUDA (no internet there), builds the
# whole C++ suite against that PyTorch's libtorch and runs every test, the [cuda] cases included.
#
#   here (Debian 12, packages installed):   ./scripts/gpu-check.sh --prepare
#       copies the xtensor, xtl, xsimd and Catch2 headers and CMake files into .deps/ (ignored by git),
#       to be carried to the GPU machine with the working tree.
#   there:                                   ./scripts/gpu-check.sh
#       writes build/gpu/gpu-check.log; PYTHON picks the python whose torch to build against.
#       The Python module and its tests are left out (GPU_CHECK_PYTHON=ON builds them, where that
#       python has its development headers and pybind11).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEPS=$ROOT/.deps/usr

if [ "${1:-}" = --prepare ]; then
    rm -rf "$ROOT/.deps"
    for path in include/xtensor include/xtl include/xsimd include/catch2 \
                lib/x86_64-linux-gnu/cmake/xtensor lib/x86_64-linux-gnu/cmake/xsimd share/cmake/xtl \
                lib/cmake/Catch2 lib/libCatch2WithMain.a \
                include/benchmark lib/x86_64-linux-gnu/cmake/benchmark lib/x86_64-linux-gnu/libbenchmark_main.a; do
        mkdir -p "$DEPS/$(dirname "$path")"
        cp -r "/usr/$path" "$DEPS/$path"
    done
    cp -P /usr/lib/x86_64-linux-gnu/libbenchmark.so* "$DEPS/lib/x86_64-linux-gnu/"
    du -sh "$ROOT/.deps"
    exit 0
fi

PYTHON=${PYTHON:-python3}
[ -d "$DEPS/include/xtensor" ] || { echo "error: .deps/ is missing: run ./scripts/gpu-check.sh --prepare where the Debian packages are" >&2; exit 1; }
torch_prefix=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "GPUs", torch.cuda.device_count(), "cxx11 abi", torch._C._GLIBCXX_USE_CXX11_ABI)'
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader || true

mkdir -p build/gpu
{
    cmake -S . -B build/gpu -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$DEPS;$torch_prefix" \
        -Dxtensor_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/xtensor" -Dxsimd_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/xsimd" \
        -Dxtl_DIR="$DEPS/share/cmake/xtl" -DCatch2_DIR="$DEPS/lib/cmake/Catch2" \
        -Dbenchmark_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/benchmark" -DXTENSOR_TORCH_BUILD_BENCHMARKS=ON \
        -DXTENSOR_TORCH_BUILD_PYTHON="${GPU_CHECK_PYTHON:-OFF}" \
        -DPython3_EXECUTABLE="$(command -v "$PYTHON")"
    cmake --build build/gpu -j"$(nproc)"
    (cd build/gpu && ctest --output-on-failure -j"$(nproc)")
    echo "== the [cuda] cases, verbose"
    build/gpu/tests/test_xtensor_torch "[cuda]" --success --reporter compact | tail -n 40
    build/gpu/examples/example_07_cuda_round_trip
    echo "== the transfer benchmark (pinned tensor.copy_ is the baseline)"
    LD_LIBRARY_PATH="$DEPS/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}" build/gpu/benchmarks/bench_transfer \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
} 2>&1 | tee build/gpu/gpu-check.log
