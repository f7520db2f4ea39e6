#!/usr/bin/env bash
# The GPU check: on a machine with an NVIDIA GPU and a PyTorch 2.x with CUDA (no internet there), builds the
# C++ suite, the examples, the benchmarks and the operator libraries against that PyTorch's libtorch, then runs
# every test (the [cuda] cases and the operator suite with inductor included), the CUDA example, the transfer
# benchmark, the thread-count benchmark on all of the machine's cores and the transposed copies' targets.
#
#   here (Debian 12, packages installed):   ./scripts/gpu-check.sh --prepare
#       copies the xtensor, xtl, xsimd, Catch2 and Google Benchmark headers and CMake files into .deps/
#       (ignored by git), to be carried to the GPU machine with the working tree.
#   there:                                   ./scripts/gpu-check.sh [LOG_DIR]
#       writes gpu-check.log (and the benchmarks' JSON) into LOG_DIR (build/gpu by default). PYTHON picks the
#       python whose torch to build against. Every step runs even when one before it failed; the script exits
#       non-zero if any did, and the log's last lines list them. The pybind11 module and its tests are left out
#       (GPU_CHECK_PYTHON=ON builds them, where that python has its development headers and pybind11).
#       To record the run: copy threads.json and transfer.json into benchmarks/results/gpu-machine/, then
#       /usr/bin/python3 benchmarks/report.py benchmarks/results regenerates the report's last section.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
DEPS=$ROOT/.deps/usr

if [ "${1:-}" = --prepare ]; then
    set -e
    rm -rf "$ROOT/.deps"
    for path in include/xtensor include/xtl include/xsimd include/catch2 \
                lib/x86_64-linux-gnu/cmake/xtensor lib/x86_64-linux-gnu/cmake/xsimd share/cmake/xtl \
                lib/cmake/Catch2 lib/libCatch2WithMain.a \
                include/benchmark lib/x86_64-linux-gnu/cmake/benchmark lib/x86_64-linux-gnu/libbenchmark_main.a; do
        [ -e "/usr/$path" ] || continue  # Catch2 v2 has no library, v3 no single header
        mkdir -p "$DEPS/$(dirname "$path")"
        cp -r "/usr/$path" "$DEPS/$path"
    done
    cp -P /usr/lib/x86_64-linux-gnu/libbenchmark.so* "$DEPS/lib/x86_64-linux-gnu/"
    du -sh "$ROOT/.deps"
    exit 0
fi

PYTHON=${PYTHON:-python3}
LOG_DIR=${1:-$ROOT/build/gpu}
BUILD=$ROOT/build/gpu
JOBS=$(nproc)
[ -d "$DEPS/include/xtensor" ] || { echo "error: .deps/ is missing: run ./scripts/gpu-check.sh --prepare where the Debian packages are" >&2; exit 1; }
mkdir -p "$BUILD" "$LOG_DIR"
failed=()
# step NAME COMMAND...: runs the command under a heading with its time; a failure is recorded, not fatal.
step() {
    local name=$1 start=$SECONDS
    shift
    echo
    echo "== $name"
    if "$@"; then
        echo "== $name: ok ($((SECONDS - start)) s)"
    else
        echo "== $name: FAILED ($((SECONDS - start)) s)"
        failed+=("$name")
    fi
}
export LD_LIBRARY_PATH="$DEPS/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
{
    torch_prefix=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')
    "$PYTHON" -c 'import torch, numpy; print("torch", torch.__version__, "CUDA", torch.version.cuda, "GPUs", torch.cuda.device_count(), "cxx11 abi", torch._C._GLIBCXX_USE_CXX11_ABI, "numpy", numpy.__version__)'
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
    echo "cores: $JOBS; $(g++ --version | head -n 1); $(cmake --version | head -n 1)"
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    step configure cmake -S . -B "$BUILD" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_PREFIX_PATH="$DEPS;$torch_prefix" \
        -Dxtensor_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/xtensor" -Dxsimd_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/xsimd" \
        -Dxtl_DIR="$DEPS/share/cmake/xtl" -DCatch2_DIR="$DEPS/lib/cmake/Catch2" \
        -Dbenchmark_DIR="$DEPS/lib/x86_64-linux-gnu/cmake/benchmark" -DXTENSOR_TORCH_BUILD_BENCHMARKS=ON \
        -DXTENSOR_TORCH_BUILD_PYTHON="${GPU_CHECK_PYTHON:-OFF}" -DXTENSOR_TORCH_TEST_BATCH=1 \
        -DPython3_EXECUTABLE="$(command -v "$PYTHON")"
    # Keep going past a target that fails, so that one run shows every failure.
    keep_going=(-- -k)
    [ ${#generator[@]} -gt 0 ] && keep_going=(-- -k 0)
    step build cmake --build "$BUILD" -j"$JOBS" "${keep_going[@]}"
    step ctest bash -c "cd '$BUILD' && ctest --output-on-failure -j'$JOBS'"
    step "the [cuda] cases, verbose" bash -c \
        "set -o pipefail; '$BUILD/tests/test_xtensor_torch' '[cuda]' --success --reporter compact | tail -n 60"
    step "example 07 (CUDA round trip)" "$BUILD/examples/example_07_cuda_round_trip"
    step "the operator suite with inductor" env PYTHONPATH="$BUILD/python" \
        XTENSOR_TORCH_TEST_OPS="$BUILD/tests/libxtorch_test_ops.so" \
        XTENSOR_TORCH_TEST_STABLE_OPS="$(ls "$BUILD"/tests/libxtorch_test_stable_ops.so 2>/dev/null)" \
        XTENSOR_TORCH_COMPILE_BACKENDS=aot_eager,inductor \
        "$PYTHON" -m pytest -q -p no:cacheprovider -rs tests/ops
    step "the transfer benchmark (pinned tensor.copy_ is the baseline)" "$BUILD/benchmarks/bench_transfer" \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
        --benchmark_out="$LOG_DIR/transfer.json" --benchmark_out_format=json
    # With the transposed copies' targets (2^16, 2^22 warm and from memory, 2^25), measured there too.
    small_calls='kernel_adaptor|peer_kernel_by_hand|as_xarray|peer_xt_adapt'
    transposed='to_(tensor|xarray)_f64_to_f32(_transposed)?(_cold)?/(65536|4194304|33554432)/'
    step "thread counts (2^25 elements, 1 thread to all cores), the small calls, transposed sources" \
        "$BUILD/benchmarks/bench_conversions" --benchmark_filter="^(threads_|$small_calls|$transposed)" \
        --benchmark_repetitions=3 --benchmark_report_aggregates_only=true --benchmark_min_time=0.05 \
        --benchmark_out="$LOG_DIR/threads.json" --benchmark_out_format=json
    echo
    if [ ${#failed[@]} -eq 0 ]; then
        echo "== gpu-check: every step passed"
    else
        echo "== gpu-check: failed steps: ${failed[*]}"
    fi
    [ ${#failed[@]} -eq 0 ]
} 2>&1 | tee "$LOG_DIR/gpu-check.log"
