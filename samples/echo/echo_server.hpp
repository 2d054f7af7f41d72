// The three ways eddy-echo serves (RFC 862): over TCP, over UDP, and over a Unix stream
// socket. Each binds first (a bad address or one in use is reported before anything
// starts), prints "listening on ADDRESS", and serves until SIGINT, SIGTERM or SIGHUP.
#pragma once

#include "../common/signals.hpp"

#include "eddy/eddy.hpp"

#include <spdlog/spdlog.h>

#include <cstddef>
#include <string>

namespace eddy::samples::echo {

struct settings {
    std::string listen;     ///< HOST:PORT for TCP and UDP
    std::string unix_path;  ///< the Unix socket's path or @name, when serving on one
    std::size_t threads{1}; ///< cores; 0 = one per CPU
};

/// Each returns the process exit code: 0 after a signal, 1 if it could not start (with one
/// line "eddy-echo: cannot listen: WHY" on stderr).
int serve_tcp(const settings& s);
int serve_udp(const settings& s);
int serve_unix(const settings& s);

/// Prints "listening on ADDRESS" and flushes, so a parent waiting on the line sees it.
void say_listening(const std::string& address);
/// Prints "eddy-echo: cannot listen: WHY" on stderr; returns the exit code 1.
int cannot_listen(const eddy::error& why);

/// Runs `per_core()` on every core of `rt`, and stops `rt` when SIGINT, SIGTERM or SIGHUP
/// arrives. `signals` must have been made before `rt` (see stop_signals).
template <class F> int run_until_signal(eddy::runtime& rt, stop_signals& signals, F per_core) {
    return rt.run_on_all_cores([&rt, &signals, per_core]() -> eddy::task<> {
        if (eddy::current_core() == 0) signals.stop_on_signal(rt);
        co_await per_core();
    });
}

} // namespace eddy::samples::echo
