// TCP echo: one SO_REUSEPORT listener per core, so accepted sockets never change core.
#include "echo_server.hpp"
#include "stream_echo.hpp"

namespace eddy::samples::echo {

namespace {

using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

void serve_here(tcp_stream s) {
    (void)s.set_nodelay(true);
    eddy::spawn(serve_stream(std::move(s))).detach();
}

} // namespace

int serve_tcp(const settings& s) {
    // Take the stop signals now, before the runtime's threads start: from "listening on"
    // on, a signal must stop us cleanly.
    stop_signals signals;
    eddy::runtime rt{{.cores = s.threads}};
    const bool per_core = rt.cores() > 1;

    // Bind on core 0 first, so a bad address or a port in use fails before anything starts.
    auto first = rt.block_on([&]() -> eddy::task<eddy::result<tcp_listener>> {
        auto addrs = co_await eddy::net::resolve(s.listen);
        if (!addrs) co_return std::move(addrs).error();
        co_return tcp_listener::bind(addrs->front(), {.reuse_port = per_core});
    }());
    if (!first) return cannot_listen(first.error()); // names the address
    const auto bound = first->local_addr().value();
    say_listening(bound.to_string());

    // `bound` by value: the other cores may still be starting when a signal ends this call.
    return run_until_signal(rt, signals, [&first, bound]() -> eddy::task<> {
        if (eddy::current_core() == 0) {
            co_await accept_loop(*first, serve_here);
            co_return;
        }
        auto mine = tcp_listener::bind(bound, {.reuse_port = true});
        if (!mine) {
            spdlog::error("core {}: cannot listen on {}: {}", eddy::current_core(),
                          bound.to_string(), mine.error().message());
            co_return;
        }
        co_await accept_loop(*mine, serve_here);
    });
}

} // namespace eddy::samples::echo
