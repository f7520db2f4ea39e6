#!/usr/bin/env bash
# Builds and runs the whole suite (Catch2 cases, compile-fail tests, pytest suites, install/consumer test,
# examples, notebooks, README blocks; in trixie also the nanobind casters under ASan + UBSan) inside Debian 13
# (trixie) and Debian testing (forky) chroots made with
# debootstrap from Debian's default mirror, with Debian's own packages of each release.
#   ./scripts/test-platforms.sh               both releases
#   ./scripts/test-platforms.sh trixie        one of them
#   PREPARE=1 ./scripts/test-platforms.sh     only make (or update) the chroots, and run nothing in them
#   BENCH=1 ./scripts/test-platforms.sh       then the cost of a call from Python in each release
#                                             (benchmarks/results/python_calls.<release>.json); BENCH=only
#                                             runs the benchmark without the suite
# The chroots are kept in $XTENSOR_TORCH_CHROOTS (default /var/cache/xtensor-torch/chroots), outside the
# repository, and reused while the package list below is unchanged. Needs root (debootstrap, chroot, mount).
set -euo pipefail
source "$(dirname "$0")/common.sh"
cd "$ROOT"

if [ "$(id -u)" -ne 0 ]; then
    echo "error: ./scripts/test-platforms.sh needs root: it makes chroots with debootstrap and mounts into them." >&2
    echo "  sudo ./scripts/test-platforms.sh" >&2
    exit 1
fi
ensure_packages debootstrap

CACHE=${XTENSOR_TORCH_CHROOTS:-/var/cache/xtensor-torch/chroots}
# What each chroot needs: the packages of common.sh, and nothing from outside Debian.
# nanobind is packaged from Debian 13 on: the chroots build and test the nanobind casters, Debian 12 cannot.
CHROOT_PACKAGES=("${XTENSOR_TORCH_BASE_PACKAGES[@]}" "${XTENSOR_TORCH_PYTHON_PACKAGES[@]}" nanobind-dev)
SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(trixie forky)
mounted=()

background=()  # the chroots made while another suite runs: their pids

kill_tree() {  # kill_tree PID: the process and everything it started
    local child
    for child in $(pgrep -P "$1" 2>/dev/null || true); do
        kill_tree "$child"
    done
    kill "$1" 2>/dev/null || true
}

cleanup() {
    local m
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -l "${mounted[i]}" 2>/dev/null || true
    done
    # A chroot still being made when a suite failed: stopped, and its mounts undone (it is made again next time).
    if [ ${#background[@]} -gt 0 ]; then
        for p in "${background[@]}"; do
            kill_tree "$p"
        done
        wait "${background[@]}" 2>/dev/null || true
        for s in "${SUITES[@]}"; do
            umount -l "$CACHE/$s.new/proc" "$CACHE/$s.new/dev" 2>/dev/null || true
        done
    fi
}
trap cleanup EXIT

mount_into() {  # mount_into SOURCE TARGET
    mkdir -p "$2"
    # A mount left by an interrupted run may show another tree: replace it.
    if mountpoint -q "$2"; then
        umount -l "$2"
    fi
    mount --bind "$1" "$2"
    mounted+=("$2")
}

# make_chroot SUITE: the chroot of SUITE with CHROOT_PACKAGES installed, made once and reused while the
# package list is the same.
make_chroot() {
    local suite=$1 dir=$CACHE/$1
    local want
    want=$(printf '%s\n' "${CHROOT_PACKAGES[@]}" | sort)
    if [ -f "$dir/.xtensor-torch-packages" ] && [ "$(cat "$dir/.xtensor-torch-packages")" = "$want" ]; then
        echo "== $suite: reusing $dir"
        return
    fi
    # A chroot that lacks only packages added to the list since it was made gets them installed.
    if [ -f "$dir/.xtensor-torch-packages" ] && [ -z "$(comm -23 "$dir/.xtensor-torch-packages" <(printf '%s\n' "$want"))" ]; then
        local added
        added=$(comm -13 "$dir/.xtensor-torch-packages" <(printf '%s\n' "$want") | tr '\n' ' ')
        echo "== $suite: installing $added into $dir"
        mount_into /proc "$dir/proc"
        mount_into /dev "$dir/dev"
        chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
            "apt-get -qq -o Acquire::Check-Valid-Until=false update &&
             apt-get install -y -qq --no-install-recommends $added" >"$CACHE/$suite.install.log" 2>&1 || {
            tail -20 "$CACHE/$suite.install.log" >&2
            echo "error: installing $added into $suite failed (log: $CACHE/$suite.install.log)" >&2
            exit 1
        }
        umount -l "$dir/proc" "$dir/dev"
        printf '%s\n' "$want" >"$dir/.xtensor-torch-packages"
        return
    fi
    echo "== $suite: making $dir (debootstrap --variant=minbase, then Debian's packages)"
    rm -rf "$dir.new"
    mkdir -p "$CACHE"
    # This debootstrap may not know the newest suites' names; sid's script serves them, as newer debootstraps
    # link it. A private copy of its script folder gets the link, the system's stays as it is.
    local scripts
    scripts=$(mktemp -d)
    cp -r /usr/share/debootstrap/. "$scripts"
    [ -e "$scripts/scripts/$suite" ] || ln -s sid "$scripts/scripts/$suite"
    DEBOOTSTRAP_DIR=$scripts debootstrap --variant=minbase "$suite" "$dir.new" >"$CACHE/$suite.debootstrap.log" 2>&1 || {
        tail -20 "$CACHE/$suite.debootstrap.log" >&2
        echo "error: debootstrap of $suite failed (log: $CACHE/$suite.debootstrap.log)" >&2
        exit 1
    }
    rm -rf "$scripts"
    cp /etc/resolv.conf "$dir.new/etc/resolv.conf"
    mount_into /proc "$dir.new/proc"
    mount_into /dev "$dir.new/dev"
    # Testing's Release file may be past its Valid-Until date between uploads.
    chroot "$dir.new" /usr/bin/env DEBIAN_FRONTEND=noninteractive bash -c \
        "apt-get -qq -o Acquire::Check-Valid-Until=false update &&
         apt-get install -y -qq --no-install-recommends ${CHROOT_PACKAGES[*]}" >"$CACHE/$suite.install.log" 2>&1 || {
        tail -20 "$CACHE/$suite.install.log" >&2
        echo "error: installing the packages into $suite failed (log: $CACHE/$suite.install.log)" >&2
        exit 1
    }
    umount -l "$dir.new/proc" "$dir.new/dev"
    printf '%s\n' "$want" >"$dir.new/.xtensor-torch-packages"
    rm -rf "$dir"
    mv "$dir.new" "$dir"
}

# run_suite SUITE: configures, builds and runs every test inside the chroot, on this working tree.
run_suite() {
    local suite=$1 dir=$CACHE/$1
    mount_into /proc "$dir/proc"
    mount_into /dev "$dir/dev"
    mount_into "$ROOT" "$dir/src"
    echo "== $suite: $(chroot "$dir" dpkg-query -W -f='${Package} ${Version}, ' libtorch-dev libxtensor-dev \
        pybind11-dev python3-numpy catch2 libdlpack-dev g++ python3 | sed 's/, $//')"
    local start=$SECONDS
    # Optimized at -O1, where CMake's Release build is -O3: these suites check that the newer torch, xtensor,
    # pybind11, nanobind and GCC build and pass everything, and -O1 takes a good deal less compile time.
    # Debian 12's leg (test.sh) keeps -O3, and its sanitizer build runs the suite at -O0. The Catch2 cases run in
    # one process (Debian 12's release leg runs each alone).
    [ "${BENCH:-0}" = only ] || chroot "$dir" /usr/bin/env PYTHONDONTWRITEBYTECODE=1 JOBS="$JOBS" bash -c '
        set -euo pipefail
        build=/var/tmp/xtensor-torch-build
        cmake -S /src -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O1 -DNDEBUG" \
            -DPython3_EXECUTABLE=/usr/bin/python3 -DXTENSOR_TORCH_REQUIRE_NANOBIND=ON -DXTENSOR_TORCH_CHECK_DEFAULT_VISIBILITY=OFF \
            -DXTENSOR_TORCH_TEST_EACH_CASE=OFF >/var/tmp/configure.log 2>&1 || { cat /var/tmp/configure.log; exit 1; }
        cmake --build $build -j"$JOBS"
        cd $build && ctest --output-on-failure -j"$JOBS"'
    # The nanobind casters under AddressSanitizer + UndefinedBehaviorSanitizer (Debian 12's sanitizer leg has no
    # nanobind): the nanobind test module and its suite, in the first release that packages nanobind.
    if [ "${BENCH:-0}" != only ] && [ "$suite" = trixie ]; then
        echo "== $suite: the nanobind casters under ASan + UBSan"
        chroot "$dir" /usr/bin/env PYTHONDONTWRITEBYTECODE=1 JOBS="$JOBS" bash -c '
            set -euo pipefail
            build=/var/tmp/xtensor-torch-asan
            cmake -S /src -B $build -G Ninja -DCMAKE_BUILD_TYPE= -DCMAKE_CXX_FLAGS="-O0 -g1" \
                -DPython3_EXECUTABLE=/usr/bin/python3 -DXTENSOR_TORCH_SANITIZERS=address,undefined \
                -DXTENSOR_TORCH_BUILD_EXAMPLES=OFF -DXTENSOR_TORCH_REQUIRE_NANOBIND=ON \
                -DXTENSOR_TORCH_CHECK_DEFAULT_VISIBILITY=OFF >/var/tmp/configure-asan.log 2>&1 ||
                { cat /var/tmp/configure-asan.log; exit 1; }
            cmake --build $build -j"$JOBS" --target _xtorch_test_nb
            cd $build && ASAN_OPTIONS=detect_leaks=1:strict_init_order=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
                ctest -R "^python\.casters\.nanobind$" --output-on-failure'
    fi
    [ "${BENCH:-0}" = only ] || echo "== $suite: passed in $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
    if [ "${BENCH:-0}" != 0 ]; then
        echo "== $suite: the cost of a call from Python"
        chroot "$dir" /usr/bin/env PYTHONDONTWRITEBYTECODE=1 JOBS="$JOBS" SUITE="$suite" bash -c '
            set -euo pipefail
            build=/var/tmp/xtensor-torch-bench
            cmake -S /src -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 \
                -DXTENSOR_TORCH_BUILD_TESTS=OFF -DXTENSOR_TORCH_BUILD_EXAMPLES=OFF \
                -DXTENSOR_TORCH_BUILD_BENCHMARKS=ON >/var/tmp/configure-bench.log 2>&1 ||
                { cat /var/tmp/configure-bench.log; exit 1; }
            cmake --build $build -j"$JOBS"
            PYTHONPATH=$build/python /usr/bin/python3 /src/benchmarks/python/bench_python.py \
                /src/benchmarks/results/python_calls.$SUITE.json'
    fi
    umount -l "$dir/src" "$dir/dev" "$dir/proc"
    mounted=()
}

# The chroots after the first are made in the background while the suites before them run: making one is mostly
# downloading and unpacking packages, running a suite mostly compiling. Each one's output is shown when its turn
# comes.
mkdir -p "$CACHE"
for suite in "${SUITES[@]:1}"; do
    (
        mounted=()
        background=()
        trap cleanup EXIT
        make_chroot "$suite"
    ) >"$CACHE/$suite.make.log" 2>&1 &
    background+=($!)
done
for i in "${!SUITES[@]}"; do
    suite=${SUITES[i]}
    if [ "$i" -eq 0 ]; then
        make_chroot "$suite"
    else
        status=0
        wait "${background[i - 1]}" || status=$?
        cat "$CACHE/$suite.make.log"
        if [ "$status" -ne 0 ]; then
            echo "error: making the $suite chroot failed (log above)" >&2
            exit 1
        fi
    fi
    [ "${PREPARE:-0}" = 1 ] || run_suite "$suite"
done
background=()
if [ "${PREPARE:-0}" = 1 ]; then
    echo "== chroots ready: ${SUITES[*]}"
    exit 0
fi
echo "== all platforms passed: ${SUITES[*]}"
