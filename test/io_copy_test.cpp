// The io:: algorithms (read_exact, write_all, read_to_end, copy, copy_bidirectional) on
// in-memory readers and on real streams; the stream cases run on TCP and on Unix streams.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::tcp_stream;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

constexpr std::size_t big = 8 << 20; // 8 MiB

/// Writes `first`, waits a little, then writes `second`: a reader sees two arrivals.
eddy::task<eddy::result<void>> write_in_two_parts(tcp_stream& s, std::string_view first,
                                                  std::string_view second) {
    if (auto ok = co_await eddy::io::write_all(s, bytes_of(first)); !ok) co_return ok;
    co_await eddy::sleep_for(20ms);
    co_return co_await eddy::io::write_all(s, bytes_of(second));
}

/// Echoes everything back with `io::copy`, then ends its own stream.
template <class S> eddy::task<eddy::result<std::uint64_t>> echo_with_copy(S& s) {
    auto [rd, wr] = s.split();
    auto copied = co_await eddy::io::copy(rd, wr);
    if (auto closed = co_await wr.shutdown(); !closed) co_return std::move(closed).error();
    co_return copied;
}

/// A reader that hands out at most three bytes per read, from memory.
class trickle_reader {
  public:
    explicit trickle_reader(std::string data) : data_(std::move(data)) {}
    eddy::task<eddy::result<std::size_t>> read(std::span<std::byte> buf) {
        const std::size_t n = std::min({buf.size(), std::size_t{3}, data_.size() - pos_});
        std::copy_n(reinterpret_cast<const std::byte*>(data_.data()) + pos_, n, buf.begin());
        pos_ += n;
        co_return n;
    }

  private:
    std::string data_;
    std::size_t pos_ = 0;
};
static_assert(eddy::io::async_reader<trickle_reader>);

/// client <-> [front | back] <-> server, with the proxy's two ends joined by
/// copy_bidirectional.
template <class S> struct proxied_connection { S client, front, back, server; };

template <class S> eddy::task<proxied_connection<S>> proxied() {
    auto [client, front] = co_await stream_pair<S>();
    auto [back, server] = co_await stream_pair<S>();
    co_return proxied_connection<S>{std::move(client), std::move(front), std::move(back),
                                    std::move(server)};
}

/// What copy_bidirectional copied: client to server, server to client.
using byte_counts = std::pair<std::uint64_t, std::uint64_t>;

enum class closing_end { client, server };

constexpr std::size_t answer_size = 1 << 20;

/// Through a proxy, one end sends `message` and half-closes. The other end must get it and
/// then the end of the stream while the proxy stays up, and answers with `answer_size`
/// random bytes (from `seed`); the proxy must stay up until it ends its side too, and the
/// closing end must get the whole answer and then the end. Gives the proxy's counts.
template <class S>
eddy::task<eddy::result<byte_counts>>
half_close_then_answer(closing_end closing, std::string_view message, std::uint64_t seed) {
    auto c = co_await proxied<S>();
    scoped proxy(eddy::spawn(eddy::io::copy_bidirectional(c.front, c.back)));
    S& closer = closing == closing_end::client ? c.client : c.server;
    S& answerer = closing == closing_end::client ? c.server : c.client;

    auto sent = co_await send_then_shutdown(closer, bytes_of(message));
    REQUIRE(sent);
    std::vector<std::byte> at_answerer(message.size());
    auto received = co_await eddy::timeout(patience, receive_exactly(answerer, at_answerer));
    REQUIRE(received); // the message and then its end
    CHECK(text_of(at_answerer) == message);

    co_await eddy::sleep_for(50ms);
    CHECK_FALSE(proxy.is_finished()); // the answering direction is still open

    const auto answer = random_bytes(answer_size, seed);
    std::vector<std::byte> at_closer(answer.size());
    scoped closer_receives(eddy::spawn(receive_exactly(closer, at_closer)));
    auto answered = co_await eddy::timeout(patience, eddy::io::write_all(answerer, answer));
    REQUIRE(answered);
    co_await eddy::sleep_for(20ms);
    CHECK_FALSE(proxy.is_finished()); // still open until the answerer ends its side
    auto shut = co_await answerer.shutdown();
    REQUIRE(shut);

    auto got = co_await joined(closer_receives.handle());
    REQUIRE(got); // the whole answer, then the end passed on by the proxy
    CHECK(difference(at_closer, answer) == "");
    auto counts = co_await joined(proxy.handle());
    co_return counts;
}

} // namespace

EDDY_TEST_CASE("read_exact fills the buffer across several arrivals", "[io]") {
    auto [client, server] = co_await connected_pair();
    scoped writer(eddy::spawn(write_in_two_parts(server, "abc", "defgh")));
    std::string got(8, '\0');
    auto filled = co_await eddy::timeout(
        patience, eddy::io::read_exact(client, std::as_writable_bytes(std::span(got))));
    REQUIRE(filled);
    CHECK(got == "abcdefgh");
    auto written = co_await joined(writer.handle());
    CHECK(written);
}

EDDY_TEST_CASE("read_exact assembles a reader's short reads", "[io]") {
    trickle_reader r("0123456789");
    std::string got(10, '\0');
    auto filled = co_await eddy::io::read_exact(r, std::as_writable_bytes(std::span(got)));
    REQUIRE(filled);
    CHECK(got == "0123456789");
    std::string more(1, '\0');
    auto after = co_await eddy::io::read_exact(r, std::as_writable_bytes(std::span(more)));
    REQUIRE_FALSE(after);
    CHECK(after.error() == eddy::errc::unexpected_eof);
}

EDDY_TEMPLATE_TEST_CASE("read_exact reports a stream that ends too early", "[io]", tcp_stream,
                        unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    auto sent = co_await send_then_shutdown(server, bytes_of("abc"));
    REQUIRE(sent);
    std::string got(8, '\0');
    auto r = co_await eddy::timeout(
        patience, eddy::io::read_exact(client, std::as_writable_bytes(std::span(got))));
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::unexpected_eof);
    CHECK(got.substr(0, 3) == "abc");
}

EDDY_TEMPLATE_TEST_CASE("write_all writes every byte however many writes it takes", "[io]",
                        tcp_stream, unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const auto payload = random_bytes(4 << 20, 10);
    std::vector<std::byte> got(payload.size());
    scoped reader(eddy::spawn(receive_exactly(server, got)));
    auto written = co_await eddy::timeout(patience, eddy::io::write_all(client, payload));
    REQUIRE(written);
    auto shut = co_await client.shutdown();
    REQUIRE(shut);
    auto received = co_await joined(reader.handle());
    REQUIRE(received);
    CHECK(difference(got, payload) == "");
}

EDDY_TEMPLATE_TEST_CASE("write_all and write take text as a std::string_view", "[io]", tcp_stream,
                        unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const std::string greeting = "hello, ";
    auto all = co_await eddy::io::write_all(client, greeting);
    REQUIRE(all);
    auto some = co_await client.write("world");
    REQUIRE(some);
    CHECK(*some == 5);
    auto [rd, wr] = client.split();
    auto from_half = co_await wr.write(std::string_view("!\n"));
    REQUIRE(from_half);
    const auto got = co_await read_text(server, 14);
    CHECK(got == "hello, world!\n");
}

EDDY_TEST_CASE("write_all of nothing completes at once", "[io]") {
    auto [client, server] = co_await connected_pair();
    auto written = co_await eddy::io::write_all(client, std::span<const std::byte>{});
    CHECK(written);
}

EDDY_TEST_CASE("read_to_end without a limit reads a reader's short reads to the end", "[io]") {
    trickle_reader r("0123456789");
    std::vector<std::byte> out;
    auto n = co_await eddy::io::read_to_end(r, out);
    REQUIRE(n);
    CHECK(*n == 10);
    CHECK(text_of(out) == "0123456789");
}

EDDY_TEMPLATE_TEST_CASE("read_to_end appends everything up to end of stream", "[io]", tcp_stream,
                        unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const auto payload = random_bytes((1 << 20) + 7, 11);
    scoped writer(eddy::spawn(send_then_shutdown(server, payload)));

    std::vector<std::byte> out{std::byte{'a'}, std::byte{'b'}};
    auto n = co_await eddy::timeout(patience, eddy::io::read_to_end(client, out));
    REQUIRE(n);
    CHECK(*n == payload.size());
    REQUIRE(out.size() >= 2);
    CHECK(text_of(std::span(out).first(2)) == "ab"); // what was there stays
    CHECK(difference(std::span(out).subspan(2), payload) == "");
    auto sent = co_await joined(writer.handle());
    CHECK(sent);
}

EDDY_TEMPLATE_TEST_CASE("read_to_end stops with too_large past its limit", "[io]", tcp_stream,
                        unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const auto payload = random_bytes(100 * 1024, 12);
    scoped writer(eddy::spawn(send_then_shutdown(server, payload)));

    constexpr std::size_t limit = 64 * 1024;
    std::vector<std::byte> out;
    auto n = co_await eddy::timeout(patience, eddy::io::read_to_end(client, out, limit));
    REQUIRE_FALSE(n);
    CHECK(n.error() == eddy::errc::too_large);
    CHECK(out.size() > limit); // what arrived stays
    REQUIRE(out.size() <= payload.size());
    CHECK(difference(out, std::span(payload).first(out.size())) == "");
}

EDDY_TEST_CASE("read_to_end accepts a stream exactly as long as its limit", "[io]") {
    auto [client, server] = co_await connected_pair();
    constexpr std::size_t limit = 64 * 1024;
    const auto payload = random_bytes(limit, 13);
    scoped writer(eddy::spawn(send_then_shutdown(server, payload)));

    std::vector<std::byte> out;
    auto n = co_await eddy::timeout(patience, eddy::io::read_to_end(client, out, limit));
    REQUIRE(n);
    CHECK(*n == limit);
    CHECK(difference(out, payload) == "");

    trickle_reader exact(std::string(9, 'x'));
    std::vector<std::byte> nine;
    auto fits = co_await eddy::io::read_to_end(exact, nine, 9);
    REQUIRE(fits);
    CHECK(*fits == 9);

    trickle_reader longer(std::string(10, 'x'));
    std::vector<std::byte> ten;
    auto over = co_await eddy::io::read_to_end(longer, ten, 9);
    REQUIRE_FALSE(over);
    CHECK(over.error() == eddy::errc::too_large);
}

EDDY_TEMPLATE_TEST_CASE("copy moves 8 MiB through a connection byte for byte", "[io]", tcp_stream,
                        unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const auto payload = random_bytes(big, 14);
    scoped echo(eddy::spawn(echo_with_copy(server)));

    auto [rd, wr] = client.split();
    scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));
    std::vector<std::byte> back(payload.size());
    auto received = co_await eddy::timeout(30s, receive_exactly(rd, back));
    REQUIRE(received); // all of it, then the end of the stream
    CHECK(difference(back, payload) == "");
    auto sent = co_await joined(writer.handle());
    CHECK(sent);
    auto copied = co_await joined(echo.handle());
    REQUIRE(copied);
    CHECK(*copied == big);
}

/// Sends `payload` through an echo on `client` while reading it back; gives what came back.
template <class S>
eddy::task<std::vector<std::byte>> echo_round_trip(S& client,
                                                   const std::vector<std::byte>& payload) {
    auto [rd, wr] = client.split();
    scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));
    std::vector<std::byte> back(payload.size());
    auto received = co_await eddy::timeout(30s, receive_exactly(rd, back));
    CHECK(received);
    const auto sent = co_await joined(writer.handle());
    CHECK(sent);
    co_return back;
}

// Both copies read into the core's one scratch buffer, and their writers often take less than
// they are given (the clients read while they write): what a copy did not write must be out
// of the scratch buffer before it waits, or the other copy's bytes would replace it.
EDDY_TEMPLATE_TEST_CASE("two copies on one core keep their bytes apart through short writes",
                        "[io]", tcp_stream, unix_stream) {
    auto [client_a, server_a] = co_await stream_pair<TestType>();
    auto [client_b, server_b] = co_await stream_pair<TestType>();
    const auto payload_a = random_bytes(big, 21);
    const auto payload_b = random_bytes(big, 22);
    scoped echo_a(eddy::spawn(echo_with_copy(server_a)));
    scoped echo_b(eddy::spawn(echo_with_copy(server_b)));

    scoped trip_b(eddy::spawn(echo_round_trip(client_b, payload_b)));
    const auto back_a = co_await echo_round_trip(client_a, payload_a);
    const auto back_b = co_await joined(trip_b.handle());
    CHECK(difference(back_a, payload_a) == "");
    CHECK(difference(back_b, payload_b) == "");
    const auto copied_a = co_await joined(echo_a.handle());
    const auto copied_b = co_await joined(echo_b.handle());
    CHECK(copied_a);
    CHECK(copied_b);
}

EDDY_TEMPLATE_TEST_CASE("copy_bidirectional proxies 8 MiB each way at once", "[io][proxy]",
                        tcp_stream, unix_stream) {
    auto c = co_await proxied<TestType>();
    const auto up = random_bytes(big, 15);
    const auto down = random_bytes(big, 16);
    scoped proxy(eddy::spawn(eddy::io::copy_bidirectional(c.front, c.back)));

    auto [client_rd, client_wr] = c.client.split();
    auto [server_rd, server_wr] = c.server.split();
    std::vector<std::byte> at_server(big), at_client(big);
    scoped client_sends(eddy::spawn(send_then_shutdown(client_wr, up)));
    scoped server_sends(eddy::spawn(send_then_shutdown(server_wr, down)));
    scoped server_receives(eddy::spawn(receive_exactly(server_rd, at_server)));
    auto client_received = co_await eddy::timeout(30s, receive_exactly(client_rd, at_client));
    REQUIRE(client_received);

    auto server_received = co_await joined(server_receives.handle(), 30s);
    CHECK(server_received);
    auto client_sent = co_await joined(client_sends.handle());
    CHECK(client_sent);
    auto server_sent = co_await joined(server_sends.handle());
    CHECK(server_sent);
    CHECK(difference(at_server, up) == "");
    CHECK(difference(at_client, down) == "");

    auto counts = co_await joined(proxy.handle());
    REQUIRE(counts);
    CHECK(*counts == byte_counts{big, big});
}

TEMPLATE_TEST_CASE("copy_bidirectional passes on the client's half-close and waits for the reply",
                   "[io][proxy]", tcp_stream, unix_stream) {
    eddy::runtime rt;
    auto counts = rt.block_on(half_close_then_answer<TestType>(closing_end::client, "request", 17));
    REQUIRE(counts);
    CHECK(*counts == byte_counts{7, answer_size});
}

TEMPLATE_TEST_CASE("copy_bidirectional passes on the server's half-close and waits for the client",
                   "[io][proxy]", tcp_stream, unix_stream) {
    eddy::runtime rt;
    auto counts =
        rt.block_on(half_close_then_answer<TestType>(closing_end::server, "greeting", 18));
    REQUIRE(counts);
    CHECK(*counts == byte_counts{answer_size, 8});
}
