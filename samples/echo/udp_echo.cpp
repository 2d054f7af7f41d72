// UDP echo (RFC 862): every datagram goes back to its sender. One SO_REUSEPORT socket per
// core; the kernel spreads senders over them.
#include "../common/socket_per_core.hpp"
#include "echo_server.hpp"

#include <spdlog/spdlog.h>

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
    return run_socket_per_core_server<udp_socket>(s.server, s.listen, echo_datagrams);
}

} // namespace eddy::samples::echo
