// Error readiness on datagram sockets: an ICMP error (a send to a closed port) is reported
// once, by the operation that meets it; afterwards the socket waits for data again instead
// of reporting itself readable forever.
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <chrono>

using namespace std::chrono_literals;
using eddy::net::udp_socket;
using namespace eddy_test;

namespace {

/// An address on 127.0.0.1 where nothing listens (a port that was just free).
eddy::net::socket_address closed_port() {
    auto s = expect(udp_socket::bind("127.0.0.1:0"), "bind");
    return expect(s.local_addr(), "local_addr");
}

/// A UDP socket connected to a closed port, after a send whose ICMP error has come back as
/// readiness (not yet reported by any operation).
eddy::task<udp_socket> socket_with_pending_error() {
    auto sock = expect(udp_socket::bind("127.0.0.1:0"), "bind");
    expect(sock.connect(closed_port()), "connect");
    auto sent = co_await sock.send(bytes_of("anyone?"));
    REQUIRE(sent);
    auto ready = co_await eddy::timeout(patience, sock.readable());
    REQUIRE(ready);
    co_return sock;
}

} // namespace

EDDY_TEST_CASE("after an ICMP error is reported, readable() with nothing to read waits",
               "[net][udp][error]") {
    // The port unreachable error comes back as readiness; the receive reports it.
    auto sock = co_await socket_with_pending_error();
    std::array<std::byte, 64> buf{};
    auto got = co_await eddy::timeout(patience, sock.recv(buf));
    REQUIRE_FALSE(got);
    CHECK(got.error() == std::errc::connection_refused);
    // Reported: nothing is readable now, so readable() waits (and times out).
    auto again = co_await eddy::timeout(50ms, sock.readable());
    REQUIRE_FALSE(again);
    CHECK(again.error() == eddy::errc::timed_out);
    auto none = sock.try_recv(buf);
    REQUIRE_FALSE(none);
    CHECK(none.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("after try_recv meets would_block, a stale error readiness no longer wakes "
               "readable()",
               "[net][udp][error]") {
    auto sock = co_await socket_with_pending_error();
    std::array<std::byte, 64> buf{};
    // Whoever reads first consumes the error; the next try finds nothing.
    auto first = sock.try_recv(buf);
    REQUIRE_FALSE(first);
    auto second = sock.try_recv(buf);
    REQUIRE_FALSE(second);
    CHECK(second.error() == eddy::errc::would_block);
    auto again = co_await eddy::timeout(50ms, sock.readable());
    REQUIRE_FALSE(again);
    CHECK(again.error() == eddy::errc::timed_out);
}
