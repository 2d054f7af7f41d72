// Splitting a stream into a read half and a write half: borrowed halves, owned halves that
// live in their own tasks, and reuniting owned halves. Every case runs on TCP and on Unix
// streams, which share the split API.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <sys/socket.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::tcp_stream;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

template <class S>
eddy::task<eddy::result<std::size_t>> read_once(typename S::read_half rd,
                                                std::span<std::byte> buf) {
    co_return co_await rd.read(buf);
}

template <class S>
eddy::task<typename S::owned_read_half> read_into(typename S::owned_read_half rd,
                                                  std::vector<std::byte>& out) {
    auto filled = co_await eddy::io::read_exact(rd, out);
    CHECK(filled);
    co_return std::move(rd);
}

template <class S>
eddy::task<typename S::owned_write_half> write_from(typename S::owned_write_half wr,
                                                    std::span<const std::byte> data) {
    auto written = co_await eddy::io::write_all(wr, data);
    CHECK(written);
    co_return std::move(wr);
}

} // namespace

EDDY_TEMPLATE_TEST_CASE("a read and a write wait at once on the two halves of one socket",
                        "[net][split]", tcp_stream, unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    // A small send buffer, so the 8 MiB cannot vanish into kernel buffers.
    int small = 64 * 1024;
    REQUIRE(::setsockopt(client.native_handle(), SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);

    auto [rd, wr] = client.split();
    std::array<std::byte, 16> got{};
    scoped reader(eddy::spawn(read_once<TestType>(rd, got)));
    const auto payload = random_bytes(8 << 20, 1);
    scoped writer(eddy::spawn(write_everything(wr, payload)));

    co_await eddy::sleep_for(50ms);
    REQUIRE_FALSE(reader.is_finished()); // nothing to read yet
    REQUIRE_FALSE(writer.is_finished()); // the peer has not read yet

    co_await write_text(server, "ping");
    auto n = co_await joined(reader.handle());
    REQUIRE(n);
    CHECK(*n == 4);
    CHECK(text_of(std::span(got).first(4)) == "ping");
    CHECK_FALSE(writer.is_finished()); // the read ended alone

    std::vector<std::byte> received(payload.size());
    auto read_all = co_await eddy::timeout(patience, eddy::io::read_exact(server, received));
    REQUIRE(read_all);
    auto wrote_all = co_await joined(writer.handle());
    CHECK(wrote_all);
    CHECK(difference(received, payload) == "");
}

EDDY_TEMPLATE_TEST_CASE("owned halves work in two tasks and reunite into the stream",
                        "[net][split]", tcp_stream, unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const auto from_server = random_bytes(512 * 1024, 2);
    const auto to_server = random_bytes(512 * 1024, 3);

    auto [rd, wr] = std::move(client).into_split();
    std::vector<std::byte> got(from_server.size());
    scoped reading(eddy::spawn(read_into<TestType>(std::move(rd), got)));
    scoped writing(eddy::spawn(write_from<TestType>(std::move(wr), to_server)));

    auto [server_rd, server_wr] = server.split();
    scoped server_writing(eddy::spawn(write_everything(server_wr, from_server)));
    std::vector<std::byte> received(to_server.size());
    auto read_all = co_await eddy::timeout(patience, eddy::io::read_exact(server_rd, received));
    REQUIRE(read_all);
    auto wrote_all = co_await joined(server_writing.handle());
    CHECK(wrote_all);
    CHECK(difference(received, to_server) == "");

    auto rd_back = co_await joined(reading.handle());
    auto wr_back = co_await joined(writing.handle());
    CHECK(difference(got, from_server) == "");
    REQUIRE(rd_back.is_pair_of(wr_back));

    auto back = eddy::net::reunite(std::move(rd_back), std::move(wr_back));
    REQUIRE(back);
    // Reuniting shut nothing down: both directions still work.
    const auto again = co_await pass_text(*back, server, "again");
    CHECK(again == "again");
    const auto reply = co_await pass_text(server, *back, "reply");
    CHECK(reply == "reply");
}

EDDY_TEMPLATE_TEST_CASE("reuniting halves of two different streams fails and leaves the halves",
                        "[net][split]", tcp_stream, unix_stream) {
    auto [a1, b1] = co_await stream_pair<TestType>();
    auto [a2, b2] = co_await stream_pair<TestType>();
    auto [rd1, wr1] = std::move(a1).into_split();
    auto [rd2, wr2] = std::move(a2).into_split();
    CHECK_FALSE(rd1.is_pair_of(wr2));
    CHECK(rd1.is_pair_of(wr1));

    auto mixed = eddy::net::reunite(std::move(rd1), std::move(wr2));
    REQUIRE_FALSE(mixed);
    CHECK(mixed.error() == eddy::errc::not_same_stream);

    // A failed reunite takes nothing: the halves still work and still pair up.
    const auto to_rd1 = co_await pass_text(b1, rd1, "still reading");
    CHECK(to_rd1 == "still reading");
    const auto from_wr2 = co_await pass_text(wr2, b2, "still writing");
    CHECK(from_wr2 == "still writing");
    auto first = eddy::net::reunite(std::move(rd1), std::move(wr1));
    REQUIRE(first);
    auto second = eddy::net::reunite(std::move(rd2), std::move(wr2));
    REQUIRE(second);
    const auto through_first = co_await pass_text(*first, b1, "first");
    CHECK(through_first == "first");
    const auto through_second = co_await pass_text(b2, *second, "second");
    CHECK(through_second == "second");
}

EDDY_TEMPLATE_TEST_CASE("reuniting an empty (moved-from) half fails instead of crashing",
                        "[net][split]", tcp_stream, unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    auto [rd, wr] = std::move(client).into_split();
    auto rd_kept = std::move(rd);
    auto wr_kept = std::move(wr);

    auto both_empty = eddy::net::reunite(std::move(rd), std::move(wr));
    REQUIRE_FALSE(both_empty);
    CHECK(both_empty.error() == eddy::errc::not_same_stream);
    CHECK_THAT(both_empty.error().message(),
               Catch::Matchers::ContainsSubstring("empty (moved-from) half"));
    auto read_empty = eddy::net::reunite(std::move(rd), std::move(wr_kept));
    REQUIRE_FALSE(read_empty);
    CHECK(read_empty.error() == eddy::errc::not_same_stream);

    // The live halves were left alone: they still pair up into a working stream.
    auto back = eddy::net::reunite(std::move(rd_kept), std::move(wr_kept));
    REQUIRE(back);
    const auto through = co_await pass_text(*back, server, "whole again");
    CHECK(through == "whole again");
}

EDDY_TEMPLATE_TEST_CASE("dropping the owned write half shuts down writing", "[net][split]",
                        tcp_stream, unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    auto [rd, wr] = std::move(client).into_split();
    co_await write_text(wr, "last words");
    { auto dropped = std::move(wr); }

    const auto last = co_await read_text(server, 10);
    CHECK(last == "last words");
    std::array<std::byte, 16> buf{};
    auto n = co_await eddy::timeout(patience, server.read(buf));
    REQUIRE(n);
    CHECK(*n == 0); // end of stream

    // The read half lives on.
    const auto still = co_await pass_text(server, rd, "still here");
    CHECK(still == "still here");
}
