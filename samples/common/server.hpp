// How a sample server starts, serves and stops, whatever its transport:
//   1. it takes the stop signals before the runtime's threads start;
//   2. it binds its first socket on core 0 before any core serves, so a bad address or one
//      in use ends the program at once: "PROGRAM: cannot listen: WHY" on stderr, exit 1;
//   3. it prints "listening on ADDRESS";
//   4. it runs one task on every core until SIGINT, SIGTERM or SIGHUP, then exits 0, removing
//      its Unix socket file (if it bound one). A server that says goodbye to its clients
//      first gives `on_stop`: the first signal runs it on core 0 before the runtime stops.
//
//     return eddy::samples::run_server(
//         {.program = "eddy-echo", .cores = 2},
//         [&] { return eddy::samples::bind_resolved<eddy::net::tcp_listener>(address); },
//         [](eddy::net::tcp_listener& first, eddy::net::socket_address bound) -> eddy::task<> {
//             ...   // accept on `first` on core 0, on a listener of its own on another
//         });
#pragma once

#include "signals.hpp"
#include "socket_file.hpp"

#include "eddy/eddy.hpp"

#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

namespace eddy::samples {

struct server_options {
    std::string_view program; ///< names the program in its error line; no default
    std::size_t cores{1};     ///< cores to serve on; 0: one per CPU. Default 1
    /// Run on core 0 at the first stop signal, before the runtime stops; it should end
    /// within a second or two (a second signal stops at once). Default: none.
    std::function<eddy::task<>()> on_stop{};
};

/// Prints "listening on ADDRESS" and flushes, so a parent waiting on the line sees it.
inline void say_listening(const std::string& address) {
    std::printf("listening on %s\n", address.c_str());
    std::fflush(stdout);
}

/// Prints "PROGRAM: cannot listen: WHY" on stderr; gives the exit code 1.
inline int cannot_listen(std::string_view program, const eddy::error& why) {
    std::fprintf(stderr, "%.*s: cannot listen: %s\n", static_cast<int>(program.size()),
                 program.data(), why.message().c_str());
    return 1;
}

/// Runs a server as this header's opening says; gives the process's exit code.
/// `bind()` gives the task, run on core 0, that makes the first socket (its error names the
/// address). `serve_core(first, bound)` gives each core's task; `first` is core 0's to use
/// (another core must not touch it: a core that starts late may start after this call has
/// returned); `bound` is the address the first socket got (port 0 has become a real port),
/// by value.
template <class Bind, class ServeCore>
int run_server(const server_options& options, Bind bind, ServeCore serve_core) {
    // Take the stop signals now, before the runtime's threads start: from "listening on"
    // on, a signal must stop us cleanly.
    stop_signals signals;
    eddy::runtime rt{{.cores = options.cores}};

    auto first = rt.block_on(bind());
    if (!first) return cannot_listen(options.program, first.error());
    const auto bound = first->local_addr().value();
    using address = std::remove_cvref_t<decltype(bound)>;
    std::optional<socket_file> file;
    if constexpr (std::is_same_v<address, eddy::net::unix_address>) file.emplace(bound);
    say_listening(bound.to_string());

    // The other cores may still be starting when a signal ends this call (a core's task can
    // first run while the runtime is torn down, after `first` is gone): they get `bound` by
    // value, and the listener's address, not `first` itself to read.
    auto* listener = &*first;
    return rt.run_on_all_cores(
        [&rt, &signals, &options, listener, bound, serve_core]() -> eddy::task<> {
            if (eddy::current_core() == 0) signals.stop_on_signal(rt, options.on_stop);
            co_await serve_core(*listener, bound);
        });
}

} // namespace eddy::samples
