# Shared by the scripts: installing Debian packages when missing, and configuring CMake builds.
# Sourced, not run.

# The Debian packages every build needs; scripts add their own.
XTENSOR_TORCH_BASE_PACKAGES=(cmake make g++ libtorch-dev libxtensor-dev xtl-dev libxsimd-dev catch2)
# The Python module, its tests and the notebooks.
XTENSOR_TORCH_PYTHON_PACKAGES=(python3-dev pybind11-dev python3-torch python3-numpy python3-pytest
                               python3-matplotlib jupyter-nbconvert python3-ipykernel libdlpack-dev ninja-build
                               python3-venv python3-pip python3-setuptools python3-wheel python3-build
                               python3-hypothesis)

# Installs the named Debian packages that are not installed yet: as root with apt-get, else with
# sudo, else prints the command to run and exits.
ensure_packages() {
    local missing=()
    local p
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$p")
        fi
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "== installing Debian packages: ${missing[*]}"
    local apt=(apt-get)
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
            apt=(sudo apt-get)
        else
            echo "error: these Debian packages are missing, and this script can install them only as root or with sudo:" >&2
            echo "  apt-get update && apt-get install -y ${missing[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${apt[@]}" update -qq
    "${apt[@]}" install -y -qq "${missing[@]}"
}

# Debian's python3, with torch; the python3 first on PATH may be another one.
PYTHON=/usr/bin/python3

# configure BUILD_DIR [cmake options...]: configures the project into BUILD_DIR.
configure() {
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$dir" -DPython3_EXECUTABLE="$PYTHON" "$@" >"$dir.configure.log" 2>&1 || {
        cat "$dir.configure.log" >&2
        echo "error: configuring $dir failed" >&2
        exit 1
    }
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
JOBS=${JOBS:-$(nproc)}
