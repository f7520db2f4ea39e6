#!/usr/bin/env bash
# Builds the example programs and the Python module xtensor_torch, runs each program under a heading,
# then executes the notebooks headless. The regression's CSV and PNG plot land in ./demo-output (or
# $DEMO_OUTPUT), the notebooks' plots in ./demo-output/notebooks. Installs the Debian packages it
# needs when missing.
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

ensure_packages "${XTENSOR_TORCH_BASE_PACKAGES[@]}" "${XTENSOR_TORCH_PYTHON_PACKAGES[@]}"

OUTPUT=${DEMO_OUTPUT:-$ROOT/demo-output}
mkdir -p build "$OUTPUT"
echo "== building the examples (build/release)"
configure build/release -DCMAKE_BUILD_TYPE=Release
# The `examples` target is every program and the module: CMake names them, not this script.
cmake --build build/release -j"$JOBS" --target examples

for source in examples/0*.cpp; do
    name=$(basename "$source" .cpp)
    echo
    echo "=================== $name ==================="
    sed -n '1s|^// ||p' "$source"
    echo "-------------------"
    (cd "$OUTPUT" && "$ROOT/build/release/examples/example_$name" "$OUTPUT")
done

# The notebooks, executed headless with the module just built; their plots land in $OUTPUT/notebooks.
mkdir -p "$OUTPUT/notebooks"
for notebook in examples/notebooks/*.ipynb; do
    echo
    echo "=================== $(basename "$notebook") ==================="
    PYTHONPATH="$ROOT/build/release/python" XTENSOR_TORCH_PLOTS="$OUTPUT/notebooks" \
        XTENSOR_TORCH_INCLUDE="$ROOT/include" XTENSOR_TORCH_EXTENSION_BUILD="$ROOT/build/release/notebook-extension" \
        XTENSOR_TORCH_OPS="$ROOT/build/release/examples/libxtensor_ops.so" \
        "$PYTHON" -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
        --output-dir "$OUTPUT/notebooks" "$notebook" 2>&1 | { grep -v -e "^\[NbConvertApp\] Writing" -e "^0\.00s - " || true; }
    echo "executed: $OUTPUT/notebooks/$(basename "$notebook")"
done
echo
echo "== plots and data written to $OUTPUT:"
(cd "$OUTPUT" && find . -type f \( -name '*.png' -o -name '*.csv' \) | sort)
echo
echo "== to use the module yourself: PYTHONPATH=$ROOT/build/release/python /usr/bin/python3 -c 'import xtensor_torch'"
