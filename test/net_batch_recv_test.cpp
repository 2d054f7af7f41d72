// Receiving datagrams in batches (recv_many, try_recv_many) on UDP and Unix datagram sockets:
// several senders in one call, truncation inside a batch, a burst of 1,000, cancellation,
// readiness after a batch drained the socket, an ICMP error reported once, and the batch's
// limits. Sending batches is in net_batch_send_test.cpp.
#include "datagram_batch_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::datagram_batch;
using eddy::net::socket_address;
using eddy::net::udp_socket;
using eddy::net::unix_datagram;
using namespace eddy_test;

EDDY_TEMPLATE_TEST_CASE("recv_many takes datagrams from several senders, each with its size and "
                        "sender",
                        "[net][datagram][batch]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto server = bound_socket<TestType>();
    auto clients = bound_sockets<TestType>(3);

    // Two datagrams from each client, of sizes that differ between all six.
    std::vector<std::vector<std::byte>> payloads;
    for (std::size_t c = 0; c < clients.size(); ++c) {
        for (std::size_t k = 0; k < 2; ++k) {
            payloads.push_back(random_bytes(10 + 700 * k + c, 10 * c + k));
            co_await send_one(clients[c], payloads.back(), address_of(server));
        }
    }

    datagram_batch<address> batch(16, 2048);
    std::size_t calls = 0;
    const auto got = co_await receive_many(server, batch, payloads.size(), &calls);
    REQUIRE(got.size() == payloads.size());
    // A Unix datagram is queued at the receiver before send returns: one call takes all six.
    // Over loopback UDP it nearly always is too, but that is not promised.
    if constexpr (std::is_same_v<TestType, unix_datagram>) CHECK(calls == 1);

    for (std::size_t c = 0; c < clients.size(); ++c) {
        const auto from = address_of(clients[c]);
        std::vector<std::vector<std::byte>> theirs;
        for (const auto& d : got) {
            if (!(d.peer == from)) continue;
            CHECK_FALSE(d.truncated);
            CHECK(d.size == d.bytes.size());
            theirs.push_back(d.bytes);
        }
        INFO("client " << c << " at " << from.to_string());
        REQUIRE(theirs.size() == 2); // in the order it sent them
        CHECK(difference(theirs[0], payloads[2 * c]) == "");
        CHECK(difference(theirs[1], payloads[2 * c + 1]) == "");
    }
}

EDDY_TEMPLATE_TEST_CASE("a datagram larger than its slot is truncated in the batch, and the "
                        "others are whole",
                        "[net][datagram][batch][truncation]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto server = bound_socket<TestType>();
    auto client = bound_socket<TestType>();
    const auto before = random_bytes(100, 1);
    const auto big = random_bytes(1200, 2);
    const auto exact = random_bytes(512, 3); // exactly a slot: not truncated
    const std::array<const std::vector<std::byte>*, 3> payloads{&before, &big, &exact};
    for (const auto* payload : payloads)
        co_await send_one(client, *payload, address_of(server));

    datagram_batch<address> batch(8, 512);
    const auto got = co_await receive_many(server, batch, 3);
    REQUIRE(got.size() == 3);
    CHECK_FALSE(got[0].truncated);
    CHECK(difference(got[0].bytes, before) == "");
    CHECK(got[1].truncated);
    CHECK(got[1].size == 1200);
    CHECK(difference(got[1].bytes, std::span(big).first(512)) == ""); // its first bytes
    CHECK(got[1].peer == address_of(client));
    CHECK_FALSE(got[2].truncated);
    CHECK(difference(got[2].bytes, exact) == "");

    // whole() says what recv_from says of a truncated datagram.
    co_await send_one(client, big, address_of(server));
    auto n = co_await eddy::timeout(patience, server.recv_many(batch));
    REQUIRE(n);
    REQUIRE(*n == 1);
    check_fails_naming(batch[0].whole(), eddy::errc::message_truncated,
                       "datagram of 1200 bytes into a buffer of 512");
    // It was consumed, as recv_from consumes one.
    auto none = server.try_recv_many(batch);
    REQUIRE_FALSE(none);
    CHECK(none.error() == eddy::errc::would_block);
    CHECK(batch.empty());
}

namespace {

/// Sends the burst's datagrams to `to`, never more than `window` ahead of what the receiver
/// has counted in `*received`: UDP drops what does not fit in the receive buffer.
template <class S>
eddy::task<> send_burst(S& sock, typename S::address_type to, std::size_t count, std::size_t window,
                        const std::size_t* received) {
    for (std::size_t i = 0; i < count; ++i) {
        if (i >= *received + window) {
            const auto caught_up = co_await eventually([&] { return i < *received + window; });
            REQUIRE(caught_up);
        }
        const auto payload = burst_datagram(i);
        auto sent = co_await eddy::timeout(patience, sock.send_to(payload, to));
        REQUIRE(sent);
    }
}

} // namespace

EDDY_TEMPLATE_TEST_CASE("a burst of 1,000 datagrams all come through recv_many intact",
                        "[net][datagram][batch]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    constexpr std::size_t count = 1000;
    auto server = bound_socket<TestType>();
    auto client = bound_socket<TestType>();
    std::size_t received = 0;
    scoped sender(eddy::spawn(send_burst(client, address_of(server), count, 32, &received)));

    datagram_batch<address> batch(32, 1024);
    std::vector<bool> seen(count, false);
    std::size_t calls = 0;
    std::size_t largest = 0;
    const auto deadline = eddy::clock::now() + 30s;
    for (std::size_t call = 0; call < count && received < count; ++call) {
        REQUIRE(eddy::clock::now() < deadline);
        auto n = co_await eddy::timeout(patience, server.recv_many(batch));
        if (!n) FAIL("recv_many after " << received << " datagrams: " << n.error().message());
        ++calls;
        largest = std::max(largest, *n);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            auto whole = batch[i].whole();
            REQUIRE(whole);
            const auto text = text_of(whole->first(std::min<std::size_t>(whole->size(), 5)));
            const auto index = static_cast<std::size_t>(std::stoul(text.substr(0, text.find(':'))));
            REQUIRE(index < count);
            CHECK_FALSE(seen[index]);
            seen[index] = true;
            CHECK(difference(*whole, burst_datagram(index)) == "");
        }
        received += batch.size();
    }
    co_await joined(sender.handle());
    CHECK(received == count);
    CHECK(std::count(seen.begin(), seen.end(), true) == static_cast<long>(count));
    CHECK(calls < count); // some calls took several datagrams at once
    CHECK(largest > 1);
}

EDDY_TEMPLATE_TEST_CASE("a recv_many cancelled by a timeout loses nothing sent afterwards",
                        "[net][datagram][batch][timeout]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto server = bound_socket<TestType>();
    auto client = bound_socket<TestType>();
    for (int attempt = 0; attempt < 3; ++attempt) {
        // Freed right after the timeout: under ASan a late write into it would be caught.
        auto scratch = std::make_unique<datagram_batch<address>>(4, 256);
        auto n = co_await eddy::timeout(30ms, server.recv_many(*scratch));
        REQUIRE_FALSE(n);
        CHECK(n.error() == eddy::errc::timed_out);
        CHECK(scratch->empty());
    }
    co_await send_one(client, bytes_of("still here"), address_of(server));
    co_await eddy::sleep_for(20ms); // the readiness event comes while nothing waits
    datagram_batch<address> batch(4, 256);
    auto n = co_await eddy::timeout(patience, server.recv_many(batch));
    REQUIRE(n);
    REQUIRE(*n == 1);
    CHECK(text_of(batch[0].bytes()) == "still here");
    CHECK(batch[0].peer() == address_of(client));
}

EDDY_TEMPLATE_TEST_CASE("try_recv_many would block on an empty socket, and after a batch that "
                        "emptied it readable() waits for the next datagram",
                        "[net][datagram][batch]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto server = bound_socket<TestType>();
    auto client = bound_socket<TestType>();
    datagram_batch<address> batch(8, 256);
    auto none = server.try_recv_many(batch);
    REQUIRE_FALSE(none);
    CHECK(none.error() == eddy::errc::would_block);

    co_await send_one(client, bytes_of("one"), address_of(server));
    co_await send_one(client, bytes_of("two"), address_of(server));
    co_await eddy::sleep_for(20ms); // both queued, and their readiness event seen
    auto ready = co_await eddy::timeout(patience, server.readable());
    REQUIRE(ready);
    const auto got = co_await receive_many(server, batch, 2);
    CHECK(text_of(got[0].bytes) == "one");
    CHECK(text_of(got[1].bytes) == "two");
    // Fewer than the batch had room for: the socket is known empty, without another syscall.
    auto early = co_await eddy::timeout(30ms, server.readable());
    REQUIRE_FALSE(early);
    CHECK(early.error() == eddy::errc::timed_out);

    co_await send_one(client, bytes_of("three"), address_of(server));
    auto woken = co_await eddy::timeout(patience, server.readable());
    REQUIRE(woken);
    auto n = server.try_recv_many(batch);
    REQUIRE(n);
    CHECK(*n == 1);
    CHECK(text_of(batch[0].bytes()) == "three");
}

EDDY_TEST_CASE("recv_many reports a UDP socket's ICMP error once, then waits",
               "[net][udp][batch][error]") {
    auto sock = bound_socket<udp_socket>();
    const auto closed = address_of(bound_socket<udp_socket>()); // freed again at once
    REQUIRE(sock.connect(closed));
    auto sent = co_await sock.send(bytes_of("anyone?"));
    REQUIRE(sent);
    auto ready = co_await eddy::timeout(patience, sock.readable());
    REQUIRE(ready);

    datagram_batch<socket_address> batch(8, 256);
    auto refused = co_await eddy::timeout(patience, sock.recv_many(batch));
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == std::errc::connection_refused);
    CHECK(batch.empty());
    auto again = co_await eddy::timeout(50ms, sock.recv_many(batch));
    REQUIRE_FALSE(again);
    CHECK(again.error() == eddy::errc::timed_out);
}

TEST_CASE("a batch holds from 1 to 1,024 datagrams, the most one recvmmsg takes",
          "[net][datagram][batch]") {
    datagram_batch<socket_address> none(0, 64);
    CHECK(none.capacity() == 1);
    datagram_batch<socket_address> huge(5000, 1);
    CHECK(huge.capacity() == datagram_batch<socket_address>::max_capacity);
    CHECK(huge.capacity() == 1024);
    datagram_batch<eddy::net::unix_address> some(16, 2048);
    CHECK(some.capacity() == 16);
    CHECK(some.slot_size() == 2048);
    CHECK(some.empty());
}
