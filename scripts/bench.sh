#!/usr/bin/env bash
# Runs the benchmarks (not part of the tests): every as_* / to_* call against the peers and the
# memory floor, the compile-time comparison, and the cost of a call from Python through the casters.
# Results land in benchmarks/results/: results.json (Google Benchmark), compile_times.json,
# report.md (targets and ratios), chart.png, python_calls.json.
#   PYTHON_ONLY=1 ./scripts/bench.sh                       the Python call costs only (a minute)
#   ./scripts/bench.sh                                     everything (about 10 minutes on 2 cores)
#   ./scripts/bench.sh --benchmark_filter='to_tensor.*'    extra arguments go to the benchmark program
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

ensure_packages "${XTENSOR_TORCH_BASE_PACKAGES[@]}" "${XTENSOR_TORCH_PYTHON_PACKAGES[@]}" libbenchmark-dev

RESULTS=$ROOT/benchmarks/results
mkdir -p build "$RESULTS"
echo "== building the benchmarks (build/bench)"
configure build/bench -DCMAKE_BUILD_TYPE=Release -DXTENSOR_TORCH_BUILD_TESTS=OFF \
    -DXTENSOR_TORCH_BUILD_EXAMPLES=OFF -DXTENSOR_TORCH_BUILD_BENCHMARKS=ON -DXTENSOR_TORCH_BUILD_PYTHON=ON
cmake --build build/bench -j"$JOBS"

echo "== the cost of a call from Python (medians of interleaved rounds)"
PYTHONPATH="$ROOT/build/bench/python" "$PYTHON" benchmarks/python/bench_python.py "$RESULTS/python_calls.json"
[ "${PYTHON_ONLY:-0}" = 1 ] && exit 0

echo "== compile time: the umbrella header against <ATen/ATen.h> + <xtensor/xarray.hpp>"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
printf '#include <xtensor-torch/xtensor-torch.hpp>\nint main() { return 0; }\n' >"$scratch/ours.cpp"
printf '#include <ATen/ATen.h>\n#include <xtensor/xarray.hpp>\nint main() { return 0; }\n' >"$scratch/baseline.cpp"
# <torch/types.h> (which the umbrella header includes) lives in torch's C++ API folder.
TORCH_API_INCLUDE=$("$PYTHON" -c 'from torch.utils.cpp_extension import include_paths
print(next(p for p in include_paths() if p.endswith("csrc/api/include")))' 2>/dev/null)
best_of_3() {
    local best=""
    for _ in 1 2 3; do
        local start end
        start=$(date +%s.%N)
        g++ -std=c++17 -O2 -I"$ROOT/include" -I"$TORCH_API_INCLUDE" -c "$1" -o "$scratch/out.o"
        end=$(date +%s.%N)
        best=$("$PYTHON" -c "a='$best'; d=$end-$start; print(d if not a else min(float(a), d))")
    done
    echo "$best"
}
ours=$(best_of_3 "$scratch/ours.cpp")
baseline=$(best_of_3 "$scratch/baseline.cpp")
echo "{\"umbrella_s\": $ours, \"aten_and_xarray_s\": $baseline}" >"$RESULTS/compile_times.json"
echo "umbrella: ${ours} s, ATen + xarray: ${baseline} s"

# Repetitions in random order: on a shared machine whose speed drifts over minutes, a slow spell falls on
# every benchmark alike instead of on the few that run during it, and the ratios keep their meaning.
echo "== benchmarks (medians of 3 repetitions, in random order)"
build/bench/benchmarks/bench_conversions --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_enable_random_interleaving=true \
    --benchmark_out="$RESULTS/results.json" --benchmark_out_format=json "$@"

echo "== report"
# Each ratio beside the recording this run replaces (the one in git's HEAD, where this is a git checkout).
"$PYTHON" benchmarks/report.py "$RESULTS" --previous HEAD
