# shellcheck shell=bash
# tools/dev.d/bench.sh: `tools/dev bench`: the side-by-side echo benchmark with eddy's echo
# server added (ECHO_SERVER: demo.sh).

# The side-by-side echo benchmark lives beside the project (../shared/bench). It is copied
# into build/bench, where it may write its builds and results, and run with eddy's echo
# server added (only eddy-echo is built for it); arguments go to its run.sh (e.g. --servers
# raw_epoll --scenarios pp_c64_s64).
cmd_bench() {
    local suite="$ROOT/../shared/bench"
    [[ -x "$suite/run.sh" ]] || die "no benchmark suite at ../shared/bench"
    deps_or_warn
    build_one release "$ECHO_SERVER_TARGET" || die "release build of eddy-echo failed"
    rm -rf build/bench
    cp -r "$suite" build/bench
    chmod -R u+w build/bench
    build/bench/run.sh \
        --extra "eddy=$ROOT/$ECHO_SERVER --listen 127.0.0.1:{port} --threads {threads} {udp}" "$@"
}
