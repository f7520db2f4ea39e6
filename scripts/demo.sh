#!/usr/bin/env bash
# Builds the example programs and the example Python module xtorch_examples, runs each program under a heading,
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

# The Python package (the headers and the CMake package, for notebooks and extension builds), installed as its
# users install it: pip install . into a virtual environment that sees Debian's torch, offline.
echo
echo "== installing the Python package into build/venv (pip install .)"
"$PYTHON" -m venv --system-site-packages build/venv
build/venv/bin/python -m pip install -q --no-build-isolation --no-index "$ROOT"
build/venv/bin/python -m xtensor_torch --version --includes
# The notebooks' kernel runs in that environment (Debian's own kernel spec would start /usr/bin/python3).
build/venv/bin/python -m ipykernel install --prefix "$ROOT/build/venv" --name xtensor-torch >/dev/null

# The notebooks, executed headless in that environment with the example module just built; their plots land in
# $OUTPUT/notebooks.
mkdir -p "$OUTPUT/notebooks"
for notebook in examples/notebooks/*.ipynb; do
    echo
    echo "=================== $(basename "$notebook") ==================="
    PYTHONPATH="$ROOT/build/release/python" XTENSOR_TORCH_PLOTS="$OUTPUT/notebooks" \
        XTENSOR_TORCH_EXTENSION_BUILD="$ROOT/build/release/notebook-extension" \
        XTENSOR_TORCH_OPS="$ROOT/build/release/examples/libxtensor_ops.so" \
        build/venv/bin/python -m nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
        --ExecutePreprocessor.kernel_name=xtensor-torch \
        --output-dir "$OUTPUT/notebooks" "$notebook" 2>&1 | { grep -v -e "^\[NbConvertApp\] Writing" -e "^0\.00s - " || true; }
    echo "executed: $OUTPUT/notebooks/$(basename "$notebook")"
done
echo
echo "== plots and data written to $OUTPUT:"
(cd "$OUTPUT" && find . -type f \( -name '*.png' -o -name '*.csv' \) | sort)
echo
echo "== to use the example module and the package yourself: PYTHONPATH=$ROOT/build/release/python build/venv/bin/python"
