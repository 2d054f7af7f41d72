// UDP sockets: an RFC 862 echo of datagrams up to the largest IPv4 allows, over IPv4 and
// IPv6 loopback; truncation; several peers on one socket; cancellation; connected sockets.
// Socket options and multicast are in net_udp_options_test.cpp.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::socket_address;
using eddy::net::udp_socket;
using namespace eddy_test;

namespace {

constexpr std::size_t max_udp_v4_payload = 65507; // 65535 - 20 (IPv4) - 8 (UDP)

/// Sends `data` to `to` as one datagram, checking that it all went.
eddy::task<> send_checked(udp_socket& sock, std::span<const std::byte> data,
                          const socket_address& to) {
    auto n = co_await sock.send_to(data, to);
    REQUIRE(n);
    CHECK(*n == data.size());
}

/// Echoes every datagram back to its sender (RFC 862) until aborted; records the senders.
eddy::task<eddy::result<void>> echo(udp_socket& sock, std::vector<socket_address>* senders) {
    std::vector<std::byte> buf(64 * 1024);
    for (;;) {
        auto got = co_await sock.recv_from(buf);
        if (!got) co_return std::move(got).error();
        if (senders) senders->push_back(got->second);
        auto sent = co_await sock.send_to(std::span(buf).first(got->first), got->second);
        if (!sent) co_return std::move(sent).error();
    }
}

/// Sends `payload` to `to` and gives the datagram that comes back (checked to come from `to`).
eddy::task<std::vector<std::byte>> round_trip(udp_socket& sock, const socket_address& to,
                                              std::span<const std::byte> payload) {
    auto sent = co_await sock.send_to(payload, to);
    REQUIRE(sent);
    CHECK(*sent == payload.size());
    std::vector<std::byte> buf(64 * 1024);
    auto got = co_await eddy::timeout(patience, sock.recv_from(buf));
    if (!got) FAIL("no reply to " << payload.size() << " bytes: " << got.error().message());
    CHECK(got->second == to);
    buf.resize(got->first);
    co_return buf;
}

eddy::task<> echo_every_size(udp_socket server, udp_socket client) {
    const auto server_addr = server.local_addr().value();
    scoped echoing(eddy::spawn(echo(server, nullptr)));

    std::vector<std::size_t> sizes{1, 2, 512, 1472, 1473, 9000, 32768, max_udp_v4_payload};
    std::mt19937 gen(862);
    std::uniform_int_distribution<std::size_t> any_size(1, max_udp_v4_payload);
    for (int i = 0; i < 8; ++i)
        sizes.push_back(any_size(gen));

    for (const auto size : sizes) {
        INFO("datagram of " << size << " bytes");
        const auto payload = random_bytes(size, size);
        const auto back = co_await round_trip(client, server_addr, payload);
        CHECK(difference(back, payload) == "");
    }
    CHECK_FALSE(echoing.is_finished()); // the server met no error
}

} // namespace

EDDY_TEST_CASE("datagrams of 1 to 65,507 bytes echo back whole over 127.0.0.1", "[net][udp]") {
    auto server = udp_socket::bind("127.0.0.1:0").value();
    auto client = udp_socket::bind("127.0.0.1:0").value();
    CHECK(server.local_addr().value().is_v4());
    CHECK(server.local_addr().value().port() != 0);
    co_await echo_every_size(std::move(server), std::move(client));
}

TEST_CASE("datagrams of 1 to 65,507 bytes echo back whole over [::1]", "[net][udp][ipv6]") {
    if (!has_ipv6_loopback()) SKIP("this machine cannot bind ::1 (no IPv6 loopback)");
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto server = udp_socket::bind("[::1]:0").value();
        CHECK(server.local_addr().value().is_v6());
        auto client = udp_socket::bind("[::1]:0").value();
        co_await echo_every_size(std::move(server), std::move(client));
    }());
}

EDDY_TEST_CASE("a datagram larger than the buffer is reported as truncated and consumed by recv",
               "[net][udp][truncation]") {
    auto a = udp_socket::bind("127.0.0.1:0").value();
    auto b = udp_socket::bind("127.0.0.1:0").value();
    const auto a_addr = a.local_addr().value();
    const auto big = random_bytes(1200, 1);
    std::array<std::byte, 512> small{};

    co_await send_checked(b, big, a_addr);
    auto cut = co_await eddy::timeout(patience, a.recv(small));
    check_fails_naming(cut, eddy::errc::message_truncated,
                       "datagram of 1200 bytes into a buffer of 512");
    CHECK(difference(small, std::span(big).first(small.size())) == ""); // its first bytes

    // The truncated datagram is gone: the next receive gets the next one.
    co_await send_checked(b, bytes_of("next"), a_addr);
    auto next = co_await eddy::timeout(patience, a.recv(small));
    REQUIRE(next);
    CHECK(text_of(std::span(small).first(*next)) == "next");

    co_await send_checked(b, big, a_addr);
    auto cut_from = co_await eddy::timeout(patience, a.recv_from(small));
    check_fails_naming(cut_from, eddy::errc::message_truncated,
                       "datagram of 1200 bytes into a buffer of 512");
    co_await send_checked(b, bytes_of("after"), a_addr);
    auto after = co_await eddy::timeout(patience, a.recv_from(small));
    REQUIRE(after);
    CHECK(text_of(std::span(small).first(after->first)) == "after");

    // A datagram exactly the buffer's size is not truncated.
    const auto exact = random_bytes(small.size(), 2);
    co_await send_checked(b, exact, a_addr);
    auto fits = co_await eddy::timeout(patience, a.recv(small));
    REQUIRE(fits);
    CHECK(*fits == small.size());
}

EDDY_TEST_CASE("peek_from reports truncation but keeps the datagram for a bigger buffer",
               "[net][udp][truncation]") {
    auto a = udp_socket::bind("127.0.0.1:0").value();
    auto b = udp_socket::bind("127.0.0.1:0").value();
    const auto big = random_bytes(1200, 3);
    co_await send_checked(b, big, a.local_addr().value());

    std::array<std::byte, 512> small{};
    for (int i = 0; i < 2; ++i) {
        auto peeked = co_await eddy::timeout(patience, a.peek_from(small));
        check_fails_naming(peeked, eddy::errc::message_truncated,
                           "datagram of 1200 bytes into a buffer of 512");
    }
    std::vector<std::byte> large(2048);
    auto peeked = co_await eddy::timeout(patience, a.peek_from(large));
    REQUIRE(peeked);
    CHECK(peeked->first == big.size());
    auto got = co_await eddy::timeout(patience, a.recv_from(large));
    REQUIRE(got);
    CHECK(got->second == b.local_addr().value());
    CHECK(difference(std::span(large).first(got->first), big) == "");

    auto drained = a.try_recv(large);
    REQUIRE_FALSE(drained);
    CHECK(drained.error() == eddy::errc::would_block);
}

namespace {

eddy::task<std::vector<std::vector<std::byte>>>
exchange(udp_socket& client, const socket_address& server, std::uint64_t seed) {
    std::vector<std::vector<std::byte>> replies;
    for (std::uint64_t i = 0; i < 3; ++i) {
        const auto payload = random_bytes(100 + seed * 10 + i, seed * 100 + i);
        auto back = co_await round_trip(client, server, payload);
        CHECK(difference(back, payload) == "");
        replies.push_back(std::move(back));
    }
    co_return replies;
}

} // namespace

EDDY_TEST_CASE("one socket serves several peers: each reply reaches its own sender", "[net][udp]") {
    auto server = udp_socket::bind("127.0.0.1:0").value();
    const auto server_addr = server.local_addr().value();
    std::vector<socket_address> senders;
    scoped echoing(eddy::spawn(echo(server, &senders)));

    constexpr std::size_t peers = 5;
    std::vector<udp_socket> clients;
    for (std::size_t i = 0; i < peers; ++i)
        clients.push_back(udp_socket::bind("127.0.0.1:0").value());
    std::vector<eddy::join_handle<std::vector<std::vector<std::byte>>>> talks;
    for (std::size_t i = 0; i < peers; ++i)
        talks.push_back(eddy::spawn(exchange(clients[i], server_addr, i + 1)));
    for (auto& talk : talks) {
        auto replies = co_await joined(talk);
        CHECK(replies.size() == 3);
    }

    REQUIRE(senders.size() == peers * 3);
    for (const auto& client : clients) {
        const auto local = client.local_addr().value();
        CHECK(std::count(senders.begin(), senders.end(), local) == 3);
    }
}

EDDY_TEST_CASE("a recv cancelled by a timeout loses nothing sent afterwards",
               "[net][udp][timeout]") {
    auto a = udp_socket::bind("127.0.0.1:0").value();
    auto b = udp_socket::bind("127.0.0.1:0").value();
    for (int attempt = 0; attempt < 3; ++attempt) {
        // Freed right after the timeout: under ASan a late write into it would be caught.
        auto scratch = std::make_unique<std::byte[]>(2048);
        auto n = co_await eddy::timeout(30ms, a.recv_from(std::span(scratch.get(), 2048)));
        REQUIRE_FALSE(n);
        CHECK(n.error() == eddy::errc::timed_out);
    }
    co_await send_checked(b, bytes_of("still here"), a.local_addr().value());
    co_await eddy::sleep_for(20ms); // the readiness event comes while nothing waits
    std::array<std::byte, 64> buf{};
    auto got = co_await eddy::timeout(patience, a.recv_from(buf));
    REQUIRE(got);
    CHECK(text_of(std::span(buf).first(got->first)) == "still here");
    CHECK(got->second == b.local_addr().value());
}

namespace {

eddy::task<std::vector<std::string>> receive_texts(udp_socket& sock, std::size_t count) {
    std::vector<std::string> texts;
    std::array<std::byte, 256> buf{};
    // A counted `for`, not `while (texts.size() < count)`: g++ 12 at -O2 corrupts a temporary
    // std::string pushed after a co_await in such a while loop.
    for (std::size_t i = 0; i < count; ++i) {
        auto got = co_await sock.recv(buf);
        REQUIRE(got);
        texts.push_back(text_of(std::span(buf).first(*got)));
    }
    co_return texts;
}

eddy::task<std::size_t> send_texts(udp_socket& sock, socket_address to, std::size_t count) {
    std::size_t sent = 0;
    for (std::size_t i = 0; i < count; ++i) {
        co_await eddy::sleep_for(5ms);
        std::string text = "ping ";
        text.append(std::to_string(i));
        auto n = co_await sock.send_to(bytes_of(text), to);
        REQUIRE(n);
        ++sent;
    }
    co_return sent;
}

} // namespace

EDDY_TEST_CASE("a recv waiting in one task and sends from another share one socket", "[net][udp]") {
    auto a = udp_socket::bind("127.0.0.1:0").value();
    auto echo_side = udp_socket::bind("127.0.0.1:0").value();
    scoped echoing(eddy::spawn(echo(echo_side, nullptr)));

    scoped receiver(eddy::spawn(receive_texts(a, 5)));
    co_await eddy::sleep_for(20ms);
    REQUIRE_FALSE(receiver.is_finished()); // parked as the reader of `a`
    scoped sender(eddy::spawn(send_texts(a, echo_side.local_addr().value(), 5)));

    const auto sent = co_await joined(sender.handle());
    CHECK(sent == 5);
    auto texts = co_await joined(receiver.handle());
    std::sort(texts.begin(), texts.end());
    CHECK(texts == std::vector<std::string>{"ping 0", "ping 1", "ping 2", "ping 3", "ping 4"});
}

EDDY_TEST_CASE("try_recv would block on an empty socket; readable() then lets it receive",
               "[net][udp]") {
    auto a = udp_socket::bind("127.0.0.1:0").value();
    auto b = udp_socket::bind("127.0.0.1:0").value();
    std::array<std::byte, 64> buf{};
    auto none = a.try_recv_from(buf);
    REQUIRE_FALSE(none);
    CHECK(none.error() == eddy::errc::would_block);
    auto early = co_await eddy::timeout(20ms, a.readable());
    REQUIRE_FALSE(early);
    CHECK(early.error() == eddy::errc::timed_out);

    auto ready_to_send = co_await eddy::timeout(patience, b.writable());
    REQUIRE(ready_to_send);
    auto sent = b.try_send_to(bytes_of("hello"), a.local_addr().value());
    REQUIRE(sent);
    CHECK(*sent == 5);
    auto ready = co_await eddy::timeout(patience, a.readable());
    REQUIRE(ready);
    auto got = a.try_recv_from(buf);
    REQUIRE(got);
    CHECK(text_of(std::span(buf).first(got->first)) == "hello");
    CHECK(got->second == b.local_addr().value());
}

EDDY_TEST_CASE("a connected socket sends and receives with its peer only", "[net][udp][connect]") {
    auto a = udp_socket::bind("127.0.0.1:0").value();
    auto b = udp_socket::bind("127.0.0.1:0").value();
    auto stranger = udp_socket::bind("127.0.0.1:0").value();
    const auto a_addr = a.local_addr().value();
    const auto b_addr = b.local_addr().value();

    auto unconnected = a.peer_addr();
    check_fails_naming(unconnected, std::errc::not_connected, "getpeername");
    auto no_peer = a.try_send(bytes_of("to nobody"));
    REQUIRE_FALSE(no_peer);
    CHECK(no_peer.error() == std::errc::destination_address_required);

    REQUIRE(a.connect(b_addr));
    CHECK(a.peer_addr().value() == b_addr);
    auto sent = co_await a.send(bytes_of("hi b"));
    REQUIRE(sent);
    CHECK(*sent == 4);
    std::array<std::byte, 64> buf{};
    auto at_b = co_await eddy::timeout(patience, b.recv_from(buf));
    REQUIRE(at_b);
    CHECK(text_of(std::span(buf).first(at_b->first)) == "hi b");
    CHECK(at_b->second == a_addr);

    // The stranger's datagram comes first but is filtered; b's reaches a.
    co_await send_checked(stranger, bytes_of("intruder"), a_addr);
    co_await send_checked(b, bytes_of("hi a"), a_addr);
    auto at_a = co_await eddy::timeout(patience, a.recv(buf));
    REQUIRE(at_a);
    CHECK(text_of(std::span(buf).first(*at_a)) == "hi a");
    co_await eddy::sleep_for(50ms);
    auto more = a.try_recv(buf);
    REQUIRE_FALSE(more);
    CHECK(more.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("binding names the address it could not take", "[net][udp]") {
    auto bad = udp_socket::bind("127.0.0.1:dns");
    check_fails_naming(bad, eddy::errc::invalid_address, "127.0.0.1:dns");

    auto first = udp_socket::bind("127.0.0.1:0").value();
    const auto addr = first.local_addr().value();
    auto second = udp_socket::bind(addr);
    check_fails_naming(second, std::errc::address_in_use, addr.to_string());

    // With SO_REUSEPORT on every socket, one port takes several (one per core).
    auto shared = udp_socket::bind("127.0.0.1:0", {.reuse_port = true}).value();
    const auto shared_addr = shared.local_addr().value();
    auto again = udp_socket::bind(shared_addr, {.reuse_addr = true, .reuse_port = true});
    CHECK(again);
    co_return;
}
