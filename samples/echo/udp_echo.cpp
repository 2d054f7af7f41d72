// UDP echo (RFC 862): every datagram goes back to its sender. One SO_REUSEPORT socket per
// core; the kernel spreads senders over them. Each wake-up receives all queued datagrams (up
// to a batch) in one recvmmsg and sends them back in one sendmmsg.
#include "../common/socket_per_core.hpp"
#include "echo_server.hpp"

#include <spdlog/spdlog.h>

namespace eddy::samples::echo {

namespace {

using eddy::net::socket_address;
using eddy::net::udp_socket;

// Every slot takes the largest UDP payload (65,507 bytes over IPv4, 65,527 over IPv6), so no
// datagram is ever truncated: once received, a datagram is gone from the socket, and one cut
// to a smaller slot could not be echoed whole. 16 such slots are 1 MiB of address space per
// core, but only the pages datagrams reach are ever touched; 16 already spares 15 of every 16
// receive and send syscalls when datagrams queue up.
constexpr std::size_t batch_capacity = 16;
constexpr std::size_t slot_size = 64 * 1024;

eddy::task<> echo_datagrams(udp_socket& socket) {
    eddy::net::datagram_batch<socket_address> batch(batch_capacity, slot_size);
    for (;;) {
        auto got = co_await socket.recv_many(batch);
        if (!got) {
            if (got.error() == eddy::errc::operation_canceled) co_return;
            // An error about an earlier send: the socket goes on.
            spdlog::debug("receive: {}", got.error().message());
            continue;
        }
        // Each send_many takes all it can; a datagram that fails (or a truncated one, which
        // cannot happen with these slots) is logged and dropped, and the rest go on. Every
        // turn moves `next` on by at least one.
        for (std::size_t next = 0; next < batch.size();) {
            auto sent = co_await socket.send_many(batch, next);
            if (sent) {
                next += *sent;
                continue;
            }
            if (sent.error() == eddy::errc::operation_canceled) co_return;
            spdlog::debug("echo: {}", sent.error().message()); // a send error names the peer
            ++next;
        }
    }
}

} // namespace

int serve_udp(const settings& s) {
    return run_socket_per_core_server<udp_socket>(s.server, s.listen, echo_datagrams);
}

} // namespace eddy::samples::echo
