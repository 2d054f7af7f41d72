// An operation that completed (the reactor finished it and queued its task) while another
// task, which runs first, closes the socket it used: the waiter must not touch the freed
// readiness state when it resumes (ASan catches it), and its result is kept. Each test
// forces that order: the closing task is queued before the waiter, and checks from the
// kernel's side that the operation has completed before it closes.
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <array>
#include <optional>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::tcp_listener;
using eddy::net::tcp_stream;
using eddy::net::udp_socket;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

int unread_bytes(int fd) {
    int n = 0;
    REQUIRE(::ioctl(fd, FIONREAD, &n) == 0);
    return n;
}

/// Yields until `done()`, checking before each yield (bounded).
template <class Pred> eddy::task<bool> yield_until(Pred done) {
    for (int i = 0; i < 100'000; ++i) {
        if (done()) co_return true;
        co_await eddy::yield_now();
    }
    co_return false;
}

template <class S> eddy::task<eddy::result<std::size_t>> read_some(S* s, std::span<std::byte> b) {
    co_return co_await s->read(b);
}
template <class S>
eddy::task<eddy::result<std::size_t>> write_some(S* s, std::span<const std::byte> b) {
    co_return co_await s->write(b);
}
template <class S> eddy::task<eddy::result<void>> wait_readable(S* s) {
    co_return co_await s->readable();
}
template <class S> eddy::task<eddy::result<void>> wait_writable(S* s) {
    co_return co_await s->writable();
}

/// Writes without waiting until the socket's send buffer is full; the bytes written.
std::size_t fill_send_buffer(unix_stream& s) {
    std::vector<std::byte> chunk(64 * 1024);
    std::size_t total = 0;
    for (;;) {
        auto n = s.try_write(chunk);
        if (!n) {
            REQUIRE(n.error() == eddy::errc::would_block);
            return total;
        }
        total += *n;
    }
}

/// Reads without waiting until nothing is left; the bytes read.
std::size_t drain(unix_stream& s) {
    std::vector<std::byte> chunk(64 * 1024);
    std::size_t total = 0;
    for (;;) {
        auto n = s.try_read(chunk);
        if (!n) return total;
        total += *n;
    }
}

/// Orders this task's wake-up before another waiter's: `mark()` makes an event now, before
/// the event that will wake the other waiter; `behind()` then waits for it, and the reactor,
/// which reports events in the order they came, queues this task first.
class wake_marker {
  public:
    wake_marker() : pair_(expect(unix_stream::pair(), "marker pair")) {}
    void mark() { expect(pair_.second.try_write(bytes_of("m")), "mark"); }
    eddy::task<> behind() {
        auto ready = co_await pair_.first.readable();
        REQUIRE(ready);
        std::array<std::byte, 1> b{};
        expect(pair_.first.try_read(b), "unmark");
    }

  private:
    std::pair<unix_stream, unix_stream> pair_;
};

/// Returns once the reactor has polled every event pending now: a fresh socket's first
/// readiness would otherwise still be queued in the kernel ahead of a later marker, and
/// wake its waiter first.
eddy::task<> reactor_round() {
    wake_marker round;
    round.mark();
    co_await round.behind();
}

} // namespace

EDDY_TEST_CASE("a read that completed keeps its bytes when its stream is closed before it resumes",
               "[io][close]") {
    auto [c, server] = co_await connected_pair();
    std::optional<tcp_stream> client(std::move(c));
    const int fd = client->native_handle();
    std::array<std::byte, 16> buf{};
    auto reader = eddy::spawn(read_some(&*client, std::span(buf)));
    co_await eddy::yield_now(); // it parks
    co_await write_text(server, "kept");
    bool arrived = false;
    const bool taken = co_await yield_until([&] {
        const int unread = unread_bytes(fd);
        arrived = arrived || unread > 0;
        return arrived && unread == 0; // the reactor's read took them; reader is queued
    });
    REQUIRE(taken);
    REQUIRE_FALSE(reader.is_finished());
    client.reset();
    auto n = expect(co_await reader, "join");
    REQUIRE(n);
    CHECK(*n == 4);
    CHECK(text_of(std::span(buf).first(4)) == "kept");
}

EDDY_TEST_CASE("a write that completed is reported when its stream is closed before it resumes",
               "[io][close]") {
    auto streams = expect(unix_stream::pair(), "pair");
    std::optional<unix_stream> client(std::move(streams.first));
    unix_stream& server = streams.second; // (a reference: lambdas may capture it)
    const std::size_t before = fill_send_buffer(*client);
    const std::string text = "one more";
    auto writer = eddy::spawn(write_some(&*client, bytes_of(text)));
    co_await eddy::yield_now(); // it parks: the buffer is full
    std::size_t received = drain(server);
    REQUIRE(received == before);
    const bool written = co_await yield_until([&] {
        received += drain(server);
        return received > before; // the reactor's write went through; writer is queued
    });
    REQUIRE(written);
    REQUIRE_FALSE(writer.is_finished());
    client.reset();
    auto n = expect(co_await writer, "join");
    REQUIRE(n);
    CHECK(*n == received - before);
}

EDDY_TEST_CASE("readable() that completed resumes cleanly after its stream is closed",
               "[io][close]") {
    auto [c, server] = co_await connected_pair();
    std::optional<tcp_stream> client(std::move(c));
    auto waiter = eddy::spawn(wait_readable(&*client));
    co_await eddy::yield_now(); // it parks
    wake_marker us;
    us.mark();
    co_await write_text(server, "x");
    co_await us.behind(); // the reactor queues us, then the waiter
    REQUIRE_FALSE(waiter.is_finished());
    client.reset();
    auto r = expect(co_await waiter, "join");
    CHECK(r);
}

EDDY_TEST_CASE("writable() that completed resumes cleanly after its stream is closed",
               "[io][close]") {
    auto streams = expect(unix_stream::pair(), "pair");
    std::optional<unix_stream> client(std::move(streams.first));
    unix_stream& server = streams.second; // (a reference: lambdas may capture it)
    fill_send_buffer(*client);
    auto waiter = eddy::spawn(wait_writable(&*client));
    co_await reactor_round(); // it parks, and the pair's first events are consumed
    wake_marker us;
    us.mark();
    REQUIRE(drain(server) > 0); // frees the sender's buffer at once (Unix sockets)
    co_await us.behind();       // the reactor queues us, then the waiter
    REQUIRE_FALSE(waiter.is_finished());
    client.reset();
    auto r = expect(co_await waiter, "join");
    CHECK(r);
}

EDDY_TEST_CASE("an accept woken by a connection ends cleanly when its listener is closed before it "
               "resumes",
               "[io][close]") {
    std::optional<tcp_listener> listener(expect(tcp_listener::bind("127.0.0.1:0"), "bind"));
    const auto addr = expect(listener->local_addr(), "local_addr");
    auto accepter = eddy::spawn([](tcp_listener* l) -> eddy::task<bool> {
        auto s = co_await l->accept();
        co_return static_cast<bool>(s);
    }(&*listener));
    co_await eddy::yield_now(); // it parks
    wake_marker us;
    us.mark();
    unique_fd peer(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    ::connect(peer.get(), addr.native(), addr.native_size());
    pollfd connected{peer.get(), POLLOUT, 0}; // the handshake is done: the queue holds it
    REQUIRE(::poll(&connected, 1, 10'000) == 1);
    co_await us.behind(); // the reactor queues us, then the accepter
    REQUIRE_FALSE(accepter.is_finished());
    listener.reset();
    auto accepted = expect(co_await accepter, "join");
    CHECK_FALSE(accepted); // the listener is gone: no connection, and no crash
}

EDDY_TEST_CASE("a recv_from that completed keeps its datagram when its socket is closed before it "
               "resumes",
               "[io][close]") {
    std::optional<udp_socket> sock(expect(udp_socket::bind("127.0.0.1:0"), "bind"));
    const auto addr = expect(sock->local_addr(), "local_addr");
    auto sender = expect(udp_socket::bind("127.0.0.1:0"), "bind sender");
    std::array<std::byte, 16> buf{};
    auto receiver = eddy::spawn(
        [](udp_socket* s, std::span<std::byte> b) -> eddy::task<eddy::result<std::size_t>> {
            auto got = co_await s->recv_from(b);
            if (!got) co_return std::move(got).error();
            co_return got->first;
        }(&*sock, std::span(buf)));
    co_await reactor_round(); // it parks, and the sockets' first events are consumed
    wake_marker us;
    us.mark();
    expect(sender.try_send_to(bytes_of("dgram"), addr), "send_to");
    co_await us.behind(); // the reactor queues us, then the receiver (it took the datagram)
    REQUIRE_FALSE(receiver.is_finished());
    REQUIRE(unread_bytes(sock->native_handle()) == 0);
    sock.reset();
    auto n = expect(co_await receiver, "join");
    REQUIRE(n);
    CHECK(*n == 5);
}

EDDY_TEST_CASE_WITH(
    "a read that completed at once but yielded for fairness resumes cleanly after its "
    "stream is closed",
    "[io][close]", .coop_budget = 1) {
    auto [c, server] = co_await connected_pair();
    std::optional<tcp_stream> client(std::move(c));
    const int fd = client->native_handle();
    co_await write_text(server, "ab");
    const bool arrived = co_await yield_until([&] { return unread_bytes(fd) == 2; });
    REQUIRE(arrived);
    std::array<std::byte, 1> first{}, second{};
    auto reader = eddy::spawn([](tcp_stream* s, std::span<std::byte> a,
                                 std::span<std::byte> b) -> eddy::task<std::size_t> {
        auto n = co_await s->read(a); // at once: uses the task's whole budget
        auto m = co_await s->read(b); // done at once too, but it yields first
        co_return (n ? *n : 0) + (m ? *m : 0);
    }(&*client, first, second));
    co_await eddy::yield_now(); // the reader runs its two reads and waits behind us
    REQUIRE(unread_bytes(fd) == 0);
    REQUIRE_FALSE(reader.is_finished());
    client.reset();
    auto total = expect(co_await reader, "join");
    CHECK(total == 2);
}

EDDY_TEST_CASE("a timeout that fires after its task's read completed keeps the bytes read",
               "[io][close][timeout]") {
    auto [client, server] = co_await connected_pair();
    std::array<std::byte, 16> buf{};
    auto read_task = [](tcp_stream* s, std::span<std::byte> b) -> eddy::task<std::size_t> {
        auto n = co_await s->read(b);
        co_return n ? *n : 0;
    };
    // Makes data arrive, then holds the core past the deadline: the reactor completes
    // the read, and the timer expires before the reading task resumes.
    auto late = eddy::spawn([](tcp_stream* s) -> eddy::task<> {
        co_await write_text(*s, "kept");
        std::this_thread::sleep_for(100ms);
    }(&server));
    auto n = co_await eddy::timeout(20ms, read_task(&client, buf));
    REQUIRE(n);
    CHECK(*n == 4);
    CHECK(text_of(std::span(buf).first(4)) == "kept");
    co_await late;
}
