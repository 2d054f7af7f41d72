// One server socket per core, for the transports the kernel spreads over several sockets of
// one port with SO_REUSEPORT (TCP listeners, UDP sockets): what a core accepts or receives
// stays on it. Core 0 binds the first socket, at the address the command line names, before
// any core serves (see server.hpp); every other core then binds its own to the address the
// first one got.
//
//     // echo_datagrams(udp_socket&) serves one socket on one core
//     return eddy::samples::run_socket_per_core_server<udp_socket>(
//         {.program = "eddy-echo", .cores = 4}, "127.0.0.1:7000", echo_datagrams);
#pragma once

#include "server.hpp"

#include "eddy/eddy.hpp"

#include <spdlog/spdlog.h>

#include <string>
#include <string_view>
#include <utility>

namespace eddy::samples {

/// Core 0's socket: `Socket` bound to the first address `address` (HOST:PORT, a name or a
/// number) resolves to, with SO_REUSEPORT when other cores will bind the same. Its error
/// names the address.
template <class Socket> eddy::task<eddy::result<Socket>> bind_resolved(std::string address) {
    auto addrs = co_await eddy::net::resolve(address);
    if (!addrs) co_return std::move(addrs).error();
    co_return Socket::bind(addrs->front(), {.reuse_port = eddy::core_count() > 1});
}

/// What a core's log says it could not do with its own socket: a listener listens on an
/// address, a datagram socket is bound to one.
template <class Socket> inline constexpr std::string_view cannot_bind = "cannot bind";
template <>
inline constexpr std::string_view cannot_bind<eddy::net::tcp_listener> = "cannot listen on";

/// One core's task: `serve(socket)` on `first` on core 0, and on every other core on a
/// `Socket` of its own bound to `bound` with SO_REUSEPORT. A core that cannot bind logs why
/// and leaves the work to the others.
template <class Socket, class Serve>
eddy::task<> serve_on_own_socket(Socket& first, eddy::net::socket_address bound, Serve serve) {
    if (eddy::current_core() == 0) {
        co_await serve(first);
        co_return;
    }
    auto mine = Socket::bind(bound, {.reuse_port = true});
    if (!mine) {
        spdlog::error("core {}: {} {}: {}", eddy::current_core(), cannot_bind<Socket>,
                      bound.to_string(), mine.error().message());
        co_return;
    }
    co_await serve(*mine);
}

/// Runs a server (server.hpp) with one `Socket` per core, bound to `address` (HOST:PORT);
/// `serve(socket)` gives the task that serves one core's socket. Gives the exit code.
template <class Socket, class Serve>
int run_socket_per_core_server(const server_options& options, const std::string& address,
                               Serve serve) {
    return run_server(
        options, [&] { return bind_resolved<Socket>(address); },
        [serve](Socket& first, eddy::net::socket_address bound) {
            return serve_on_own_socket(first, bound, serve);
        });
}

} // namespace eddy::samples
