// eddy-loadgen: the load generator of eddy's echo benchmark (tools/bench/run.py). One
// thread, plain epoll, no eddy: it measures an echo server from outside, over loopback only.
//
//     eddy-loadgen pingpong --port 7000 --conns 64 --size 64 --secs 3 --warmup 1 --pid 1234
//     eddy-loadgen stream --port 7000 --conns 16 --size 16384
//     eddy-loadgen udp --port 7000 --conns 16 --size 64
//     eddy-loadgen idle --port 7000 --conns 10000 --pid 1234
//     eddy-loadgen probe --port 7000 [--udp] --secs 10
//
// Every echoed byte is checked against what was sent (a pattern that depends on the byte's
// position). A run prints one line of key=value pairs on stdout, e.g.
//     mode=pingpong conns=64 size=64 secs=3.000 msgs=... msgs_per_s=... p50_us=...
//     p99_us=... errors=0 lg_cpu=... srv_cpu=... srv_cpu_s=... srv_us_per_msg=...
// srv_* come from --pid: the server's CPU time (utime + stime in /proc/PID/stat) over the
// measured window, so its CPU per message (srv_us_per_msg) holds even when the load
// generator, not the server, is the bottleneck (lg_cpu near 1). Bad arguments: a usage line
// on stderr and exit code 2.
#include "loadgen/measure.hpp"
#include "loadgen/modes.hpp"
#include "loadgen/options.hpp"

#include <csignal>
#include <cstdio>
#include <string>
#include <variant>

int main(int argc, char** argv) {
    auto parsed = loadgen::parse_options(argc, argv);
    if (const auto* why = std::get_if<std::string>(&parsed)) {
        std::fprintf(stderr, "eddy-loadgen: %s\n%s\n", why->c_str(), loadgen::usage_line);
        return 2;
    }
    const auto& opts = std::get<loadgen::options>(parsed);
    std::signal(SIGPIPE, SIG_IGN);
    const long limit = loadgen::raise_descriptor_limit();
    if (opts.conns + 64L > limit) {
        std::fprintf(stderr, "eddy-loadgen: %d connections need more descriptors than %ld\n",
                     opts.conns, limit);
        return 2;
    }
    switch (opts.mode) {
    case loadgen::run_mode::pingpong: return loadgen::run_pingpong(opts);
    case loadgen::run_mode::stream: return loadgen::run_stream(opts);
    case loadgen::run_mode::udp: return loadgen::run_udp(opts);
    case loadgen::run_mode::idle: return loadgen::run_idle(opts);
    case loadgen::run_mode::probe: return loadgen::run_probe(opts);
    }
    return 2;
}
