#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <sys/ioctl.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::io::buffered_reader;
using eddy::net::tcp_stream;
using namespace eddy_test;

static_assert(eddy::io::async_reader<buffered_reader<tcp_stream&>>);
static_assert(eddy::io::async_reader<buffered_reader<tcp_stream::owned_read_half>>);

namespace {

/// A reader over a string that gives at most `chunk` bytes per read and records the size of
/// every buffer it was handed.
class memory_reader {
  public:
    memory_reader(std::string data, std::size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
    eddy::task<eddy::result<std::size_t>> read(std::span<std::byte> buf) {
        asked.push_back(buf.size());
        const std::size_t n = std::min({buf.size(), chunk_, data_.size() - pos_});
        std::copy_n(bytes_of(data_).begin() + static_cast<std::ptrdiff_t>(pos_), n, buf.begin());
        pos_ += n;
        co_return n;
    }
    std::vector<std::size_t> asked; ///< the buffer size of each read, in order

  private:
    std::string data_;
    std::size_t chunk_;
    std::size_t pos_ = 0;
};
static_assert(eddy::io::async_reader<memory_reader>);

/// Writes `text` one byte at a time, pausing between bytes, so a reader sees many arrivals.
eddy::task<eddy::result<void>> trickle(tcp_stream& s, std::string text) {
    for (char c : text) {
        const std::string one(1, c);
        if (auto ok = co_await eddy::io::write_all(s, bytes_of(one)); !ok) co_return ok;
        co_await eddy::sleep_for(2ms);
    }
    co_return co_await s.shutdown();
}

template <class Reader> eddy::task<> fill_once(Reader& in) {
    auto got = co_await in.fill_buf();
    (void)got;
}

/// Bytes waiting in a socket's receive queue.
int unread_bytes(const tcp_stream& s) {
    int n = 0;
    REQUIRE(::ioctl(s.native_handle(), FIONREAD, &n) == 0);
    return n;
}

} // namespace

EDDY_TEST_CASE("fill_buf shows the buffered bytes without consuming them; consume moves on",
               "[io][buffered]") {
    memory_reader inner("abcdef", 4);
    buffered_reader in(inner, 16);
    auto first = co_await in.fill_buf();
    REQUIRE(first);
    CHECK(text_of(*first) == "abcd");
    auto again = co_await in.fill_buf();
    REQUIRE(again);
    CHECK(text_of(*again) == "abcd");
    CHECK(inner.asked.size() == 1); // nothing consumed, so no new read
    in.consume(2);
    CHECK(text_of(in.buffer()) == "cd");
    in.consume(2);
    auto second = co_await in.fill_buf();
    REQUIRE(second);
    CHECK(text_of(*second) == "ef");
    in.consume(2);
    auto end = co_await in.fill_buf();
    REQUIRE(end);
    CHECK(end->empty());
    CHECK(inner.asked == std::vector<std::size_t>{16, 16, 16});
}

EDDY_TEST_CASE("a read of at least the capacity into an empty buffer goes straight to the inner "
               "reader",
               "[io][buffered]") {
    memory_reader inner(std::string(200, 'x'), 1000);
    buffered_reader in(inner, 16);
    std::vector<std::byte> big(64);
    auto n = co_await in.read(big);
    REQUIRE(n);
    CHECK(*n == 64);
    CHECK(in.buffer().empty());
    CHECK(inner.asked == std::vector<std::size_t>{64}); // the caller's buffer itself

    std::vector<std::byte> small(4);
    auto m = co_await in.read(small);
    REQUIRE(m);
    CHECK(*m == 4);
    CHECK(in.buffer().size() == 12); // one fill of the whole buffer, 4 handed out
    CHECK(inner.asked == std::vector<std::size_t>{64, 16});

    // With bytes buffered, even a big read is served from the buffer first.
    auto rest = co_await in.read(big);
    REQUIRE(rest);
    CHECK(*rest == 12);
    CHECK(inner.asked.size() == 2);
}

EDDY_TEST_CASE("a buffered reader over TCP gives back every byte, read in pieces of any size",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    const auto data = random_bytes(1 << 20, 7);
    scoped writer(eddy::spawn(send_then_shutdown(server, data)));
    buffered_reader in(client, 4096);
    std::vector<std::byte> got;
    const std::size_t sizes[] = {1, 7, 100, 4095, 4096, 20000};
    for (std::size_t i = 0;; ++i) {
        std::vector<std::byte> piece(sizes[i % std::size(sizes)]);
        auto n = co_await eddy::timeout(patience, in.read(piece));
        REQUIRE(n);
        if (*n == 0) break;
        got.insert(got.end(), piece.begin(), piece.begin() + static_cast<std::ptrdiff_t>(*n));
    }
    CHECK(difference(got, data) == "");
    auto sent = co_await joined(writer.handle());
    CHECK(sent);
}

EDDY_TEST_CASE("read_until finds a delimiter that arrives split across many reads",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    scoped writer(eddy::spawn(trickle(server, "key=value;rest;tail")));
    buffered_reader in(client);
    std::vector<std::byte> out;
    auto first = co_await eddy::timeout(patience, in.read_until(std::byte{';'}, out));
    REQUIRE(first);
    CHECK(*first == 10);
    CHECK(text_of(out) == "key=value;");
    auto second = co_await eddy::timeout(patience, in.read_until(std::byte{';'}, out));
    REQUIRE(second);
    CHECK(*second == 5);
    CHECK(text_of(out) == "key=value;rest;"); // appended
    auto last = co_await eddy::timeout(patience, in.read_until(std::byte{';'}, out));
    REQUIRE(last);
    CHECK(*last == 4); // no delimiter: what came before the end of stream
    auto end = co_await eddy::timeout(patience, in.read_until(std::byte{';'}, out));
    REQUIRE(end);
    CHECK(*end == 0);
    CHECK(text_of(out) == "key=value;rest;tail");
    auto sent = co_await joined(writer.handle());
    CHECK(sent);
}

EDDY_TEST_CASE("read_line keeps each line's ending and gives a last line without one",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    auto sent = co_await send_then_shutdown(server, bytes_of("unix\ndos\r\n\nlast"));
    REQUIRE(sent);
    buffered_reader in(client, 3); // smaller than most lines
    std::vector<std::string> lines;
    for (;;) {
        std::string line;
        auto n = co_await eddy::timeout(patience, in.read_line(line));
        REQUIRE(n);
        CHECK(*n == line.size());
        if (*n == 0) break;
        lines.push_back(line);
    }
    CHECK(lines == std::vector<std::string>{"unix\n", "dos\r\n", "\n", "last"});
}

EDDY_TEST_CASE("a read_line cancelled by a timeout keeps what it read in the string",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    buffered_reader in(client);
    co_await write_text(server, "partial");
    std::string line;
    auto cut = co_await eddy::timeout(100ms, in.read_line(line));
    REQUIRE_FALSE(cut);
    CHECK(cut.error() == eddy::errc::timed_out);
    CHECK(line == "partial");
    co_await write_text(server, " line\n");
    auto n = co_await eddy::timeout(patience, in.read_line(line));
    REQUIRE(n);
    CHECK(line == "partial line\n");
}

EDDY_TEST_CASE("a fill_buf cancelled by a timeout loses nothing that comes later",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    buffered_reader in(client);
    auto nothing = co_await eddy::timeout(50ms, in.fill_buf());
    REQUIRE_FALSE(nothing);
    CHECK(nothing.error() == eddy::errc::timed_out);
    co_await write_text(server, "late");
    auto got = co_await eddy::timeout(patience, in.fill_buf());
    REQUIRE(got);
    CHECK(text_of(*got) == "late");
}

EDDY_TEST_CASE("bytes a fill took from the socket stay buffered when its task is aborted before it "
               "resumes",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    buffered_reader in(client);
    scoped filler(eddy::spawn(fill_once(in)));
    co_await eddy::yield_now(); // the filler starts and waits for data
    co_await write_text(server, "salvaged");
    // This task stays queued (it yields), so when the reactor hands the data to the
    // waiting fill and queues the filler, this task runs before it: once the socket is
    // drained the fill has the bytes, and its task has not resumed yet.
    bool arrived = false, taken = false;
    for (int i = 0; i < 1'000'000; ++i) {
        const int unread = unread_bytes(client);
        arrived = arrived || unread > 0;
        taken = arrived && unread == 0;
        if (taken) break;
        co_await eddy::yield_now();
    }
    REQUIRE(taken);
    REQUIRE_FALSE(filler.is_finished());
    filler.handle().abort();
    auto got = co_await eddy::timeout(1s, in.fill_buf());
    REQUIRE(got);
    CHECK(text_of(*got) == "salvaged");
}

EDDY_TEST_CASE("a buffered reader can own a read half and give it back", "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    auto [rd, wr] = std::move(client).into_split();
    buffered_reader<tcp_stream::owned_read_half> in(std::move(rd));
    co_await write_text(server, "one\ntwo\n");
    std::string line;
    auto n = co_await eddy::timeout(patience, in.read_line(line));
    REQUIRE(n);
    CHECK(line == "one\n");
    auto back = std::move(in).into_inner();
    auto again = eddy::net::reunite(std::move(back), std::move(wr));
    CHECK(again);
}
