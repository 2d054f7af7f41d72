// Every io:: algorithm on Unix streams: read_exact, write_all, read_to_end, copy, and a
// copy_bidirectional proxy between two pairs.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::unix_listener;
using eddy::net::unix_stream;
using eddy_test::bytes_of;
using eddy_test::difference;
using eddy_test::joined;
using eddy_test::patience;
using eddy_test::random_bytes;
using eddy_test::receive_exactly;
using eddy_test::scoped;
using eddy_test::send_then_shutdown;
using eddy_test::temp_socket_path;

namespace {

constexpr std::size_t big = 4 << 20; // 4 MiB

/// Echoes everything back with `io::copy`, then ends its own stream.
eddy::task<eddy::result<std::uint64_t>> echo_with_copy(unix_stream& s) {
    auto [rd, wr] = s.split();
    auto copied = co_await eddy::io::copy(rd, wr);
    if (auto closed = co_await wr.shutdown(); !closed) co_return std::move(closed).error();
    co_return copied;
}

} // namespace

TEST_CASE("write_all, read_exact and read_to_end carry a Unix stream's bytes", "[net][unix][io]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        temp_socket_path path;
        auto listener = unix_listener::bind(path.string()).value();
        auto [client, server] = co_await eddy_test::connect_through(listener);

        // write_all + read_exact: a header, then read_to_end for the body up to the end.
        const auto body = random_bytes(big + 3, 41);
        auto [client_rd, client_wr] = client.split();
        auto header_written =
            co_await eddy::timeout(patience, eddy::io::write_all(client_wr, bytes_of("HEAD")));
        REQUIRE(header_written);
        scoped sending(eddy::spawn(send_then_shutdown(client_wr, body)));

        std::string header(4, '\0');
        auto header_read = co_await eddy::timeout(
            patience, eddy::io::read_exact(server, std::as_writable_bytes(std::span(header))));
        REQUIRE(header_read);
        CHECK(header == "HEAD");
        std::vector<std::byte> rest;
        auto n = co_await eddy::timeout(patience, eddy::io::read_to_end(server, rest, big + 3));
        REQUIRE(n);
        CHECK(*n == body.size());
        CHECK(difference(rest, body) == "");
        auto sent = co_await joined(sending.handle());
        CHECK(sent);

        // read_exact past the end reports it.
        auto answered = co_await send_then_shutdown(server, bytes_of("ok"));
        REQUIRE(answered);
        std::string reply(3, '\0');
        auto short_read = co_await eddy::timeout(
            patience, eddy::io::read_exact(client_rd, std::as_writable_bytes(std::span(reply))));
        REQUIRE_FALSE(short_read);
        CHECK(short_read.error() == eddy::errc::unexpected_eof);
        CHECK(reply.substr(0, 2) == "ok");
    }());
}

TEST_CASE("copy echoes megabytes back over a Unix stream", "[net][unix][io]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = unix_stream::pair().value();
        const auto payload = random_bytes(big, 42);
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
    }());
}

TEST_CASE("copy_bidirectional proxies between two Unix pairs, passing on the half-closes",
          "[net][unix][io][proxy]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        // client <-> front | proxy | back <-> server
        auto [client, front] = unix_stream::pair().value();
        auto [back, server] = unix_stream::pair().value();
        scoped proxy(eddy::spawn(eddy::io::copy_bidirectional(front, back)));

        const auto up = random_bytes(big, 43);
        const auto down = random_bytes(big / 2, 44);
        auto [client_rd, client_wr] = client.split();
        auto [server_rd, server_wr] = server.split();
        std::vector<std::byte> at_server(up.size()), at_client(down.size());
        scoped client_sends(eddy::spawn(send_then_shutdown(client_wr, up)));
        scoped server_sends(eddy::spawn(send_then_shutdown(server_wr, down)));
        scoped server_receives(eddy::spawn(receive_exactly(server_rd, at_server)));
        auto client_received = co_await eddy::timeout(30s, receive_exactly(client_rd, at_client));
        REQUIRE(client_received); // the answer, then the server's end passed on

        auto server_received = co_await joined(server_receives.handle(), 30s);
        CHECK(server_received); // the request, then the client's end passed on
        CHECK(difference(at_server, up) == "");
        CHECK(difference(at_client, down) == "");
        auto client_sent = co_await joined(client_sends.handle());
        CHECK(client_sent);
        auto server_sent = co_await joined(server_sends.handle());
        CHECK(server_sent);

        auto counts = co_await joined(proxy.handle());
        REQUIRE(counts);
        CHECK(counts->first == up.size());
        CHECK(counts->second == down.size());
    }());
}
