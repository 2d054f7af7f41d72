// Sending datagrams in batches (send_many, try_send_many) on UDP and Unix datagram sockets:
// to several peers, back to the senders of a batch just received, stopping before a truncated
// datagram or a failing one, partial sends on a full Unix socket, cancellation, and what a
// batch refuses to hold. Receiving batches is in net_batch_recv_test.cpp.
#include "datagram_batch_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/socket.h>

#include <string>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::datagram_batch;
using eddy::net::socket_address;
using eddy::net::udp_socket;
using eddy::net::unix_address;
using eddy::net::unix_datagram;
using namespace eddy_test;

EDDY_TEMPLATE_TEST_CASE("send_many sends each datagram of a batch to its own peer",
                        "[net][datagram][batch]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto sender = bound_socket<TestType>();
    std::vector<TestType> peers;
    for (int i = 0; i < 3; ++i)
        peers.push_back(bound_socket<TestType>());

    datagram_batch<address> batch(8, 256);
    for (int round = 0; round < 2; ++round)
        for (std::size_t p = 0; p < peers.size(); ++p) {
            const auto text = "to " + std::to_string(p) + ", " + std::to_string(round);
            REQUIRE(batch.push_back(bytes_of(text), address_of(peers[p])));
        }
    REQUIRE(batch.size() == 6);
    CHECK(batch[4].peer() == address_of(peers[1]));
    auto sent = co_await eddy::timeout(patience, sender.send_many(batch));
    REQUIRE(sent);
    CHECK(*sent == 6);

    for (std::size_t p = 0; p < peers.size(); ++p) {
        datagram_batch<address> in(8, 256);
        const auto got = co_await receive_many(peers[p], in, 2);
        REQUIRE(got.size() == 2);
        CHECK(text_of(got[0].bytes) == "to " + std::to_string(p) + ", 0");
        CHECK(text_of(got[1].bytes) == "to " + std::to_string(p) + ", 1");
        CHECK(got[0].peer == address_of(sender));
    }
}

EDDY_TEMPLATE_TEST_CASE("send_many sends the datagrams of a batch just received back to their "
                        "senders",
                        "[net][datagram][batch]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto server = bound_socket<TestType>();
    auto clients = bound_sockets<TestType>(3);
    std::vector<std::vector<std::byte>> payloads;
    for (std::size_t c = 0; c < clients.size(); ++c)
        for (std::size_t k = 0; k < 2; ++k) {
            payloads.push_back(random_bytes(1 + 300 * c + 50 * k, 100 + 10 * c + k));
            co_await send_one(clients[c], payloads.back(), address_of(server));
        }

    // The echo: each batch received goes back whole, to the senders it came from.
    datagram_batch<address> batch(16, 2048);
    std::size_t echoed = 0;
    for (std::size_t call = 0; call < payloads.size() && echoed < payloads.size(); ++call) {
        auto n = co_await eddy::timeout(patience, server.recv_many(batch));
        REQUIRE(n);
        for (std::size_t next = 0; next < batch.size();) {
            auto sent = co_await eddy::timeout(patience, server.send_many(batch, next));
            REQUIRE(sent);
            REQUIRE(*sent >= 1);
            next += *sent;
        }
        echoed += batch.size();
    }
    REQUIRE(echoed == payloads.size());

    for (std::size_t c = 0; c < clients.size(); ++c) {
        datagram_batch<address> in(8, 2048);
        const auto got = co_await receive_many(clients[c], in, 2);
        REQUIRE(got.size() == 2);
        CHECK(difference(got[0].bytes, payloads[2 * c]) == "");
        CHECK(difference(got[1].bytes, payloads[2 * c + 1]) == "");
        CHECK(got[0].peer == address_of(server));
    }
}

EDDY_TEST_CASE("send_many stops before a truncated datagram and refuses to send part of it",
               "[net][unix][datagram][batch][truncation]") {
    auto server = bound_socket<unix_datagram>();
    auto client = bound_socket<unix_datagram>();
    co_await send_one(client, bytes_of("first"), address_of(server));
    const auto big = random_bytes(100, 7);
    co_await send_one(client, big, address_of(server));
    co_await send_one(client, bytes_of("third"), address_of(server));

    datagram_batch<unix_address> batch(8, 64);
    auto n = co_await eddy::timeout(patience, server.recv_many(batch));
    REQUIRE(n);
    REQUIRE(*n == 3); // a Unix datagram is queued before send_to returns
    REQUIRE(batch[1].truncated());

    auto before = co_await eddy::timeout(patience, server.send_many(batch));
    REQUIRE(before);
    CHECK(*before == 1);
    auto cut = co_await eddy::timeout(patience, server.send_many(batch, 1));
    check_fails_naming(cut, eddy::errc::message_truncated,
                       "datagram of 100 bytes into a buffer of 64");
    auto after = server.try_send_many(batch, 2);
    REQUIRE(after);
    CHECK(*after == 1);

    datagram_batch<unix_address> in(8, 256);
    const auto got = co_await receive_many(client, in, 2);
    CHECK(text_of(got[0].bytes) == "first");
    CHECK(text_of(got[1].bytes) == "third");
    co_await eddy::sleep_for(20ms);
    auto nothing_more = client.try_recv_many(in);
    REQUIRE_FALSE(nothing_more);
    CHECK(nothing_more.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("send_many's error names the destination of the datagram that failed, and those "
               "before it went",
               "[net][udp][batch][error]") {
    auto sender = bound_socket<udp_socket>();
    auto a = bound_socket<udp_socket>();
    auto b = bound_socket<udp_socket>();
    datagram_batch<socket_address> batch(4, 70000);
    REQUIRE(batch.push_back(bytes_of("to a"), address_of(a)));
    REQUIRE(batch.push_back(random_bytes(70000, 8), address_of(b))); // over 65,507: EMSGSIZE
    REQUIRE(batch.push_back(bytes_of("to a again"), address_of(a)));

    auto first = co_await eddy::timeout(patience, sender.send_many(batch));
    REQUIRE(first);
    CHECK(*first == 1);
    auto too_large = co_await eddy::timeout(patience, sender.send_many(batch, 1));
    check_fails_naming(too_large, std::errc::message_size, address_of(b).to_string());
    auto rest = sender.try_send_many(batch, 2);
    REQUIRE(rest);
    CHECK(*rest == 1);

    datagram_batch<socket_address> in(4, 256);
    const auto got = co_await receive_many(a, in, 2);
    CHECK(text_of(got[0].bytes) == "to a");
    CHECK(text_of(got[1].bytes) == "to a again");
}

EDDY_TEMPLATE_TEST_CASE("send_many with nothing from its first datagram on gives 0 at once, and "
                        "a batch refuses what it cannot hold",
                        "[net][datagram][batch]", udp_socket, unix_datagram) {
    using address = typename TestType::address_type;
    auto sock = bound_socket<TestType>();
    datagram_batch<address> batch(2, 64);
    auto empty = co_await sock.send_many(batch);
    REQUIRE(empty);
    CHECK(*empty == 0);

    auto too_large = batch.push_back(random_bytes(65, 9), address_of(sock));
    check_fails_naming(too_large, eddy::errc::invalid_argument,
                       "datagram of 65 bytes into a slot of 64");
    REQUIRE(batch.push_back(bytes_of("one"), address_of(sock)));
    REQUIRE(batch.push_back(bytes_of("two"), address_of(sock)));
    auto full = batch.push_back(bytes_of("three"), address_of(sock));
    check_fails_naming(full, eddy::errc::invalid_argument, "the batch is full (2 datagrams)");
    CHECK(batch.size() == 2);

    auto past_the_end = sock.try_send_many(batch, 2);
    REQUIRE(past_the_end);
    CHECK(*past_the_end == 0);
    auto far_past = co_await sock.send_many(batch, 10);
    REQUIRE(far_past);
    CHECK(*far_past == 0);
    batch.clear();
    CHECK(batch.empty());
}

namespace {

/// Sends the batch's datagrams from `first` to the end, in as many calls as that takes (each
/// sends one at least); how many went.
eddy::task<std::size_t> send_rest(unix_datagram& sock, datagram_batch<unix_address>& batch,
                                  std::size_t first) {
    std::size_t next = first;
    for (std::size_t call = 0; call < batch.size() && next < batch.size(); ++call) {
        auto sent = co_await sock.send_many(batch, next);
        REQUIRE(sent);
        next += *sent;
    }
    co_return next - first;
}

/// Sends datagrams to `to` until its queue is full; how many went.
std::size_t fill_queue(unix_datagram& sock, const unix_address& to) {
    std::size_t queued = 0;
    for (; queued < 100000; ++queued) {
        auto sent = sock.try_send_to(bytes_of("filler"), to);
        if (!sent) {
            REQUIRE(sent.error() == eddy::errc::would_block);
            break;
        }
    }
    REQUIRE(queued > 0);
    REQUIRE(queued < 100000);
    return queued;
}

} // namespace

EDDY_TEST_CASE("send_many to a full unix socket sends what fits and says how many; the rest go "
               "once the peer reads",
               "[net][unix][datagram][batch]") {
    auto server = bound_socket<unix_datagram>();
    auto client = bound_socket<unix_datagram>();
    // The receiver's queue takes only so many datagrams from a socket not connected to it
    // (net.unix.max_dgram_qlen, 10 by default): 40 do not all fit.
    constexpr std::size_t count = 40;
    datagram_batch<unix_address> batch(count, 64);
    for (std::size_t i = 0; i < count; ++i)
        REQUIRE(batch.push_back(bytes_of("datagram " + std::to_string(i)), address_of(server)));

    auto sent = co_await eddy::timeout(patience, client.send_many(batch));
    REQUIRE(sent);
    const std::size_t fitted = *sent;
    REQUIRE(fitted > 0);
    REQUIRE(fitted < count);

    // The rest waits for room, and goes as the server reads.
    scoped rest(eddy::spawn(send_rest(client, batch, fitted)));
    co_await eddy::sleep_for(30ms);
    REQUIRE_FALSE(rest.is_finished());

    datagram_batch<unix_address> in(count, 64);
    const auto got = co_await receive_many(server, in, count);
    const auto rest_sent = co_await joined(rest.handle());
    CHECK(rest_sent == count - fitted);
    REQUIRE(got.size() == count);
    for (std::size_t i = 0; i < count; ++i)
        CHECK(text_of(got[i].bytes) == "datagram " + std::to_string(i));
}

EDDY_TEST_CASE("a send_many cancelled while the peer's queue is full has sent nothing",
               "[net][unix][datagram][batch][timeout]") {
    auto server = bound_socket<unix_datagram>();
    auto client = bound_socket<unix_datagram>();
    const auto queued = fill_queue(client, address_of(server));

    datagram_batch<unix_address> batch(4, 64);
    for (int i = 0; i < 3; ++i)
        REQUIRE(batch.push_back(bytes_of("cancelled"), address_of(server)));
    auto n = co_await eddy::timeout(30ms, client.send_many(batch));
    REQUIRE_FALSE(n);
    CHECK(n.error() == eddy::errc::timed_out);

    // The server reads all: only the fillers, even once reading has made room.
    datagram_batch<unix_address> in(64, 64);
    const auto got = co_await receive_many(server, in, queued);
    REQUIRE(got.size() == queued);
    for (const auto& d : got)
        CHECK(text_of(d.bytes) == "filler");
    co_await eddy::sleep_for(30ms);
    auto none = server.try_recv_many(in);
    REQUIRE_FALSE(none);
    CHECK(none.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("send_many with nothing to send gives 0 at once on a socket that cannot send",
               "[net][unix][datagram][batch]") {
    auto [client, server] = expect(unix_datagram::pair(), "socketpair");
    co_await eddy::sleep_for(10ms);  // the reactor has seen the new sockets' first events
    for (int i = 0; i < 100000; ++i) // fill the peer's queue: sending would block
        if (!client.try_send(bytes_of("filler"))) break;
    auto waits = co_await eddy::timeout(10ms, client.writable());
    REQUIRE_FALSE(waits); // writability is known gone

    datagram_batch<unix_address> batch(2, 64);
    auto empty = co_await eddy::timeout(patience, client.send_many(batch));
    REQUIRE(empty);
    CHECK(*empty == 0);
    REQUIRE(batch.push_back(bytes_of("one")));
    auto past_the_end = co_await eddy::timeout(patience, client.send_many(batch, 1));
    REQUIRE(past_the_end);
    CHECK(*past_the_end == 0);
}

EDDY_TEST_CASE("after send_many stopped short at a datagram that fails, writable() does not "
               "wait",
               "[net][unix][datagram][batch][error]") {
    auto [a, b] = unix_datagram::pair().value();
    // A send buffer of 16 KiB (the kernel doubles what it is told): a datagram of 32 KiB can
    // never go, EMSGSIZE, while a small one leaves the socket writable.
    const int small = 8 * 1024;
    REQUIRE(::setsockopt(a.native_handle(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
    datagram_batch<unix_address> batch(2, 32 * 1024);
    REQUIRE(batch.push_back(bytes_of("fits")));
    REQUIRE(batch.push_back(random_bytes(32 * 1024, 10)));
    auto known_writable = co_await eddy::timeout(patience, a.writable());
    REQUIRE(known_writable);

    auto first = a.try_send_many(batch);
    REQUIRE(first);
    CHECK(*first == 1);
    auto failing = a.try_send_many(batch, 1);
    REQUIRE_FALSE(failing);
    CHECK(failing.error() == std::errc::message_size);
    CHECK(failing.error().context().empty()); // no address to name: the connected peer
    // Nothing proved the send buffer full, so the socket is still known writable (waiting
    // here for an edge would last until b reads).
    auto writable = co_await eddy::timeout(200ms, a.writable());
    CHECK(writable);

    datagram_batch<unix_address> in(4, 64);
    const auto got = co_await receive_many(b, in, 1);
    CHECK(text_of(got[0].bytes) == "fits");
}
