#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::io::buffered_reader;
using eddy::net::tcp_stream;
using namespace eddy_test;

namespace {

/// One `next()`, bounded in time.
template <class Lines> eddy::task<eddy::result<std::optional<std::string>>> next_of(Lines& lines) {
    auto line = co_await eddy::timeout(patience, lines.next());
    co_return line;
}

/// Every line up to the end of stream; throws on an error.
template <class Lines> eddy::task<std::vector<std::string>> all_lines(Lines& lines) {
    std::vector<std::string> out;
    for (;;) {
        auto line = expect(co_await next_of(lines), "next line");
        if (!line) co_return out;
        out.push_back(std::move(*line));
    }
}

/// Sends `parts` one write at a time with a pause between, then ends the stream.
eddy::task<eddy::result<void>> send_in_parts(tcp_stream& s, std::vector<std::string> parts) {
    for (const auto& part : parts) {
        if (auto ok = co_await eddy::io::write_all(s, bytes_of(part)); !ok) co_return ok;
        co_await eddy::sleep_for(5ms);
    }
    co_return co_await s.shutdown();
}

/// `size` bytes of 'x' and no newline, then "\nnext\n", then the end of the stream.
eddy::task<eddy::result<void>> send_huge_line(tcp_stream& s, std::size_t size) {
    const std::vector<std::byte> chunk(64 * 1024, std::byte{'x'});
    for (std::size_t sent = 0; sent < size; sent += chunk.size())
        if (auto ok = co_await eddy::io::write_all(s, chunk); !ok) co_return ok;
    co_return co_await send_then_shutdown(s, bytes_of("\nnext\n"));
}

} // namespace

EDDY_TEST_CASE("lines ends a line at LF or CRLF, keeps a lone CR and gives a last line without "
               "newline",
               "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    auto sent = co_await send_then_shutdown(server, bytes_of("one\ntwo\r\nthr\ree\n\n\r\nlast"));
    REQUIRE(sent);
    auto lines = eddy::io::lines(client, 100);
    auto got = co_await all_lines(lines);
    CHECK(got == std::vector<std::string>{"one", "two", "thr\ree", "", "", "last"});
    auto after = co_await next_of(lines);
    REQUIRE(after);
    CHECK_FALSE(after->has_value()); // the end stays the end
}

EDDY_TEST_CASE("lines puts together a line, and a CRLF, that arrive in pieces", "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    scoped writer(
        eddy::spawn(send_in_parts(server, {"hel", "lo\r", "\nwor", "ld", "\n", "tail\r"})));
    auto lines = eddy::io::lines(client, 100, 4); // a buffer smaller than the lines
    auto got = co_await all_lines(lines);
    // "tail\r" ends the stream without "\n": its "\r" is a lone one and stays.
    CHECK(got == std::vector<std::string>{"hello", "world", "tail\r"});
    auto sent = co_await joined(writer.handle());
    CHECK(sent);
}

EDDY_TEST_CASE("a line over the limit fails naming the limit, and the next line is read after it",
               "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    std::string text = "short\n" + std::string(100, 'x') + "\nafter\n12345678\r\n123456789\n";
    auto sent = co_await send_then_shutdown(server, bytes_of(text));
    REQUIRE(sent);
    auto lines = eddy::io::lines(client, 8, 16);
    auto first = co_await next_of(lines);
    REQUIRE(first);
    CHECK(**first == "short");
    auto too_long = co_await next_of(lines);
    check_fails_naming(too_long, eddy::errc::too_large, "limit of 8 bytes");
    auto after = co_await next_of(lines);
    REQUIRE(after);
    CHECK(**after == "after");
    auto at_limit = co_await next_of(lines);
    REQUIRE(at_limit);
    CHECK(**at_limit == "12345678"); // 8 bytes: the "\r\n" does not count
    auto one_over = co_await next_of(lines);
    check_fails_naming(one_over, eddy::errc::too_large, "8");
    auto end = co_await next_of(lines);
    REQUIRE(end);
    CHECK_FALSE(end->has_value());
}

EDDY_TEST_CASE("a last line over the limit fails too, and then the stream ends", "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    auto sent = co_await send_then_shutdown(server, bytes_of("ok\nfar too long"));
    REQUIRE(sent);
    auto lines = eddy::io::lines(client, 5);
    auto ok = co_await next_of(lines);
    REQUIRE(ok);
    CHECK(**ok == "ok");
    auto too_long = co_await next_of(lines);
    check_fails_naming(too_long, eddy::errc::too_large, "limit of 5 bytes");
    auto end = co_await next_of(lines);
    REQUIRE(end);
    CHECK_FALSE(end->has_value());
}

EDDY_TEST_CASE("a 10 MiB line with a 1 KiB limit is thrown away without being stored",
               "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    constexpr std::size_t huge = 10 << 20;
    constexpr std::size_t limit = 1024;
    scoped writer(eddy::spawn(send_huge_line(server, huge)));
    auto lines = eddy::io::lines(client, limit);
    const std::size_t capacity = lines.reader().capacity();
    const std::size_t bound = capacity + 2 * (limit + 2);

    auto too_long = co_await next_of(lines);
    check_fails_naming(too_long, eddy::errc::too_large, "limit of 1024 bytes");
    CHECK(lines.held_bytes() <= bound);
    CHECK(lines.reader().buffer().size() <= capacity);

    auto next = co_await next_of(lines); // skips the other ~10 MiB as they arrive
    REQUIRE(next);
    CHECK(**next == "next");
    CHECK(lines.held_bytes() <= bound);
    CHECK(lines.reader().capacity() == capacity);
    auto end = co_await next_of(lines);
    REQUIRE(end);
    CHECK_FALSE(end->has_value());
    auto sent = co_await joined(writer.handle());
    CHECK(sent);
}

EDDY_TEST_CASE("lines works with any limit, the largest std::size_t included", "[io][lines]") {
    for (const std::size_t limit :
         {std::numeric_limits<std::size_t>::max(), std::numeric_limits<std::size_t>::max() - 1}) {
        CAPTURE(limit);
        auto [client, server] = co_await connected_pair();
        scoped writer(eddy::spawn(send_in_parts(server, {"fir", "st\nsec", "ond\r", "\nlast"})));
        auto lines = eddy::io::lines(client, limit, 4); // lines come in several reads
        auto got = co_await all_lines(lines);
        CHECK(got == std::vector<std::string>{"first", "second", "last"});
        auto sent = co_await joined(writer.handle());
        CHECK(sent);
    }
}

EDDY_TEST_CASE("a next() cancelled by a timeout keeps the part of the line that had come",
               "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    auto lines = eddy::io::lines(client, 100);
    co_await write_text(server, "par");
    auto cut = co_await eddy::timeout(100ms, lines.next());
    REQUIRE_FALSE(cut);
    CHECK(cut.error() == eddy::errc::timed_out);
    co_await write_text(server, "tial\n");
    auto line = co_await next_of(lines);
    REQUIRE(line);
    CHECK(**line == "partial");
}

EDDY_TEST_CASE("lines uses a buffered_reader it is given, borrowed or owned", "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    auto sent = co_await send_then_shutdown(server, bytes_of("a\nb\nc\n"));
    REQUIRE(sent);
    buffered_reader in(client, 64);
    {
        auto borrowed = eddy::io::lines(in, 10);
        static_assert(std::is_same_v<decltype(borrowed),
                                     eddy::io::line_reader<buffered_reader<tcp_stream&>&>>);
        auto a = co_await next_of(borrowed);
        REQUIRE(a);
        CHECK(**a == "a");
        CHECK(&borrowed.reader() == &in);
    }
    // What the borrowed lines had buffered is still in `in`.
    std::string line;
    auto n = co_await eddy::timeout(patience, in.read_line(line));
    REQUIRE(n);
    CHECK(line == "b\n");

    auto owned = eddy::io::lines(std::move(in), 10);
    static_assert(
        std::is_same_v<decltype(owned), eddy::io::line_reader<buffered_reader<tcp_stream&>>>);
    auto rest = co_await all_lines(owned);
    CHECK(rest == std::vector<std::string>{"c"});
}

EDDY_TEST_CASE("lines can own an owned read half", "[io][lines]") {
    auto [client, server] = co_await connected_pair();
    auto [rd, wr] = std::move(client).into_split();
    auto lines = eddy::io::lines(std::move(rd), 10);
    static_assert(
        std::is_same_v<decltype(lines), eddy::io::line_reader<tcp_stream::owned_read_half>>);
    auto sent = co_await send_then_shutdown(server, bytes_of("x\ny\n"));
    REQUIRE(sent);
    auto got = co_await all_lines(lines);
    CHECK(got == std::vector<std::string>{"x", "y"});
}
