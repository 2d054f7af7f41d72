# shellcheck shell=bash
# tools/dev.d/bench.sh: `tools/dev bench`: eddy's own echo benchmark (tools/bench/run.py):
# eddy-echo against the hand-written epoll echo server, driven by eddy's load generator, all
# built here from the project alone. `tools/dev bench --shared` runs the side-by-side
# comparison with other frameworks instead, from ../shared/bench, when that folder is there.

# The programs the benchmark runs, as ninja targets in build/release (ECHO_SERVER_TARGET:
# demo.sh).
LOADGEN_TARGET=tools/eddy-loadgen
EPOLL_ECHO_TARGET=tools/eddy-epoll-echo

# Builds eddy-echo, eddy-loadgen and eddy-epoll-echo (release), then runs tools/bench/run.py
# with the arguments (--scenarios LIST, --reps R, --secs D; see run.py --help). Results go
# to build/bench-results/STAMP/.
cmd_bench() {
    if [[ "${1:-}" == --shared ]]; then
        shift
        bench_shared "$@"
        return
    fi
    deps_or_warn
    build_one release "$ECHO_SERVER_TARGET" "$LOADGEN_TARGET" "$EPOLL_ECHO_TARGET" ||
        die "release build of the benchmark's programs failed"
    python3 "$ROOT/tools/bench/run.py" --build build/release "$@"
}

# The side-by-side echo benchmark beside the project (../shared/bench), with eddy's echo
# server added. It is copied into build/bench, where it may write its builds and results;
# arguments go to its run.sh (e.g. --servers raw_epoll --scenarios pp_c64_s64).
bench_shared() {
    local suite="$ROOT/../shared/bench"
    [[ -x "$suite/run.sh" ]] ||
        die "bench --shared: no shared benchmark at ../shared/bench (it is optional;" \
            "'tools/dev bench' runs eddy's own)"
    deps_or_warn
    build_one release "$ECHO_SERVER_TARGET" || die "release build of eddy-echo failed"
    rm -rf build/bench
    cp -r "$suite" build/bench
    chmod -R u+w build/bench
    build/bench/run.sh \
        --extra "eddy=$ROOT/$ECHO_SERVER --listen 127.0.0.1:{port} --threads {threads} {udp}" "$@"
}
