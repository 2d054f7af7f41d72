// UDP echo (RFC 862): every datagram goes back to its sender. One SO_REUSEPORT socket per
// core; the kernel spreads senders over them.
#include "echo_server.hpp"

#include <vector>

namespace eddy::samples::echo {

namespace {

using eddy::net::udp_socket;

// The largest UDP payload (IPv4: 65,535 - 8 of UDP header - 20 of IP header).
constexpr std::size_t max_datagram = 65507;

eddy::task<> echo_datagrams(udp_socket& socket) {
    std::vector<std::byte> buf(max_datagram);
    for (;;) {
        auto got = co_await socket.recv_from(buf);
        if (!got) {
            if (got.error() == eddy::errc::operation_canceled) co_return;
            // A datagram that did not fit, or an error about an earlier send: that datagram
            // is lost, the socket goes on.
            spdlog::debug("receive: {}", got.error().message());
            continue;
        }
        const auto& [size, from] = *got;
        auto sent = co_await socket.send_to(std::span(buf).first(size), from);
        if (!sent) {
            if (sent.error() == eddy::errc::operation_canceled) co_return;
            spdlog::debug("send to {}: {}", from.to_string(), sent.error().message());
        }
    }
}

} // namespace

int serve_udp(const settings& s) {
    stop_signals signals;
    eddy::runtime rt{{.cores = s.threads}};
    const bool per_core = rt.cores() > 1;

    auto first = rt.block_on([&]() -> eddy::task<eddy::result<udp_socket>> {
        auto addrs = co_await eddy::net::resolve(s.listen);
        if (!addrs) co_return std::move(addrs).error();
        co_return udp_socket::bind(addrs->front(), {.reuse_port = per_core});
    }());
    if (!first) return cannot_listen(first.error());
    const auto bound = first->local_addr().value();
    say_listening(bound.to_string());

    return run_until_signal(rt, signals, [&first, bound]() -> eddy::task<> {
        if (eddy::current_core() == 0) {
            co_await echo_datagrams(*first);
            co_return;
        }
        auto mine = udp_socket::bind(bound, {.reuse_port = true});
        if (!mine) {
            spdlog::error("core {}: cannot bind {}: {}", eddy::current_core(), bound.to_string(),
                          mine.error().message());
            co_return;
        }
        co_await echo_datagrams(*mine);
    });
}

} // namespace eddy::samples::echo
