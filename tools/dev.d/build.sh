# shellcheck shell=bash
# tools/dev.d/build.sh: configuring and building the three build dirs (`tools/dev build`):
#   build/release   g++ (tools/native/gcc.ini), optimised
#   build/sanitize  clang (tools/native/clang.ini), ASan+UBSan, with the fuzz targets
#   build/tsan      clang, ThreadSanitizer; only the tests of suite 'tsan' and what they start
# A build may also be asked for a few ninja targets only (the demo builds just its programs).

BUILD_NAMES=(release sanitize tsan)

# The test suite the tsan build runs; only its tests (and what they start) are built there.
TSAN_SUITE=tsan

# The meson native file that names the compilers of a build.
build_native_file() {
    case "$1" in
        release) echo "$ROOT/tools/native/gcc.ini" ;;
        sanitize | tsan) echo "$ROOT/tools/native/clang.ini" ;;
    esac
}

# Every build has fibers (-Dfibers=enabled): a missing Boost.Context fails the configure
# instead of leaving the fiber tests out.
build_opts() {
    case "$1" in
        release) echo "--buildtype=release -Dwerror=true -Dfibers=enabled" ;;
        sanitize)
            echo "--buildtype=debug -Dwerror=true -Dfibers=enabled -Db_sanitize=address,undefined -Db_lundef=false"
            ;;
        # Unoptimised: it compiles faster, and clang 14 from -O1 up keeps a coroutine's
        # std::this_thread::get_id() (pthread_self) across a co_await that moved it to another
        # thread, which the cross-core tests would take for a scheduling bug.
        tsan)
            echo "--buildtype=debug -Dwerror=true -Dfibers=enabled -Db_sanitize=thread -Db_lundef=false"
            ;;
    esac
}

is_configured() {
    [[ -f "$1/build.ninja" && -f "$1/meson-private/coredata.dat" ]]
}

# meson setup for build NAME; extra arguments (e.g. --reconfigure, --wipe) are passed on.
meson_setup() {
    local name="$1" dir="build/$1"
    shift
    local -a opts
    read -r -a opts <<<"$(build_opts "$name")"
    meson setup "$@" --native-file "$(build_native_file "$name")" "$dir" "${opts[@]}"
}

# The ninja targets (paths relative to build dir DIR) that the tests of SUITE run: the test
# programs and what they depend on (e.g. the sample servers they start).
suite_targets() {
    local dir="$1" suite="$2"
    meson introspect "$dir" --tests --targets | python3 -c '
import json, os, sys
build, suite = os.path.abspath(sys.argv[1]), sys.argv[2]
info = json.load(sys.stdin)
files = {t["id"]: t["filename"] for t in info["targets"]}
wanted = set()
for test in info["tests"]:
    if suite in (s.split(":")[-1] for s in test["suite"]):
        for dep in test["depends"]:
            wanted.update(os.path.relpath(f, build) for f in files.get(dep, []))
print("\n".join(sorted(wanted)))
' "$dir" "$suite"
}

# Runs ninja in build NAME: the TARGETs if any are given; otherwise everything, but in tsan
# only what its test suite runs, which keeps that build short.
run_ninja() {
    local name="$1" dir="build/$1"
    shift
    if [[ $# -gt 0 ]]; then
        ninja -C "$dir" "$@"
        return
    fi
    [[ "$name" == tsan ]] || {
        ninja -C "$dir"
        return
    }
    # Regenerate build.ninja first if meson files changed, so the list of targets is current.
    ninja -C "$dir" build.ninja || return 1
    local list
    local -a targets
    list="$(suite_targets "$dir" "$TSAN_SUITE")" || return 1
    if [[ -z "$list" ]]; then
        echo "tools/dev: no test in suite '$TSAN_SUITE' in $dir" >&2
        return 1
    fi
    mapfile -t targets <<<"$list"
    ninja -C "$dir" "${targets[@]}"
}

# Configure (or repair) build NAME and build it, or only its TARGETs if any are given.
# Returns non-zero on failure.
# Note: called in `if` context, so `set -e` is off here; check every step.
build_one() {
    local name="$1" dir="build/$1"
    shift
    local log="$SCRATCH/ninja-$name.log"

    if ! is_configured "$dir"; then
        heading "configuring $dir"
        rm -rf "$dir"
        meson_setup "$name" || return 1
    fi

    if [[ $# -gt 0 ]]; then
        heading "building $dir: $*"
    else
        heading "building $dir"
    fi
    local rc=0
    run_ninja "$name" "$@" 2>&1 | tee "$log" || rc=$?
    [[ $rc -eq 0 ]] && return 0

    # If ninja could not regenerate/load build.ninja, the dir is stale:
    # reconfigure it (or, failing that, wipe it) and build again.
    if grep -qE "^(FAILED: build\.ninja|ninja: error: (rebuilding |loading )?'?build\.ninja)" "$log"; then
        heading "build dir $dir looks stale, reconfiguring"
        meson_setup "$name" --reconfigure || meson_setup "$name" --wipe || return 1
        run_ninja "$name" "$@" || return 1
        return 0
    fi
    return 1
}

# Check a build name given on the command line.
check_build_name() {
    local name
    for name in "${BUILD_NAMES[@]}"; do
        [[ "$1" == "$name" ]] && return 0
    done
    die "unknown build '$1' (expected one of: ${BUILD_NAMES[*]})"
}

cmd_build() {
    local names=("${BUILD_NAMES[@]}") name failed=0
    if [[ $# -gt 0 ]]; then
        check_build_name "$1"
        names=("$1")
    fi
    for name in "${names[@]}"; do
        if ! build_one "$name"; then
            echo "tools/dev: build of build/$name failed" >&2
            failed=1
        fi
    done
    return "$failed"
}
