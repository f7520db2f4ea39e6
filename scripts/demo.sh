#!/usr/bin/env bash
# Builds the example programs and runs each one under a heading; the regression's CSV and PNG plot
# land in ./demo-output (or $DEMO_OUTPUT). Installs the Debian packages it needs when missing.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

ensure_packages "${XTENSOR_TORCH_BASE_PACKAGES[@]}" python3-matplotlib

OUTPUT=${DEMO_OUTPUT:-$ROOT/demo-output}
mkdir -p build "$OUTPUT"
echo "== building the examples (build/release)"
configure build/release -DCMAKE_BUILD_TYPE=Release
cmake --build build/release -j"$JOBS" --target $(sed -n 's/^ *\(0[0-9]_[a-z_]*\)$/example_\1/p' examples/CMakeLists.txt)

for source in examples/0*.cpp; do
    name=$(basename "$source" .cpp)
    echo
    echo "=================== $name ==================="
    sed -n '1s|^// ||p' "$source"
    echo "-------------------"
    (cd "$OUTPUT" && "$ROOT/build/release/examples/example_$name" "$OUTPUT")
done
echo
echo "== plots and data written to $OUTPUT:"
ls -1 "$OUTPUT"
