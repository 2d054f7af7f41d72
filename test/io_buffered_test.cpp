#include "test_support.hpp"

#include "eddy/eddy.hpp"
#include "eddy/runtime/detail/log.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <sys/ioctl.h>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::io::buffered_reader;
using eddy::io::buffered_writer;
using eddy::net::tcp_stream;
using eddy_test::bytes_of;
using eddy_test::difference;
using eddy_test::expect;
using eddy_test::joined;
using eddy_test::patience;
using eddy_test::random_bytes;
using eddy_test::scoped;
using eddy_test::send_then_shutdown;
using eddy_test::text_of;

static_assert(eddy::io::async_reader<buffered_reader<tcp_stream&>>);
static_assert(eddy::io::async_reader<buffered_reader<tcp_stream::owned_read_half>>);
static_assert(eddy::io::async_writer<buffered_writer<tcp_stream&>>);
static_assert(eddy::io::async_writer<buffered_writer<tcp_stream::owned_write_half>>);

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

/// A writer into memory that takes at most `max_per_write` bytes a call and records every
/// call, so tests can count what reached the inner writer.
class recording_writer {
  public:
    explicit recording_writer(std::size_t max_per_write = SIZE_MAX) : max_(max_per_write) {}
    eddy::task<eddy::result<std::size_t>> write(std::span<const std::byte> buf) {
        const std::size_t n = std::min(buf.size(), max_);
        sink.insert(sink.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
        writes.push_back(n);
        co_return n;
    }
    eddy::task<eddy::result<void>> shutdown() {
        shut_after = sink.size();
        ++shutdowns;
        co_return eddy::ok();
    }
    std::vector<std::byte> sink;
    std::vector<std::size_t> writes; ///< bytes taken by each call, in order
    int shutdowns = 0;
    std::size_t shut_after = 0; ///< bytes in the sink when shutdown came

  private:
    std::size_t max_;
};
static_assert(eddy::io::async_writer<recording_writer>);

/// Writes `text` one byte at a time, pausing between bytes, so a reader sees many arrivals.
eddy::task<eddy::result<void>> trickle(tcp_stream& s, std::string text) {
    for (char c : text) {
        const std::string one(1, c);
        if (auto ok = co_await eddy::io::write_all(s, bytes_of(one)); !ok) co_return ok;
        co_await eddy::sleep_for(2ms);
    }
    co_return co_await s.shutdown();
}

/// A writer whose writes wait until the test opens its gate. Opening completes the waiting
/// write (its bytes are taken) and queues the writer's coroutine, as a socket's reactor
/// does, so a test can destroy that coroutine after its bytes went out but before it ran.
class gated_writer {
  public:
    class write_op {
      public:
        write_op(gated_writer& w, std::span<const std::byte> buf) noexcept
            : writer_(&w), buf_(buf) {}
        write_op(write_op&& o) noexcept : writer_(o.writer_), buf_(o.buf_) {}
        write_op& operator=(write_op&&) = delete;
        ~write_op() {
            if (writer_->parked_ == this) writer_->parked_ = nullptr;
        }
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<> h) noexcept {
            node_.handle = h;
            writer_->parked_ = this;
        }
        eddy::result<std::size_t> await_resume() const noexcept { return taken_; }
        bool cancel() noexcept {
            if (writer_->parked_ != this) return false; // completed: it resumes normally
            writer_->parked_ = nullptr;
            return true;
        }

      private:
        friend class gated_writer;
        gated_writer* writer_;
        std::span<const std::byte> buf_;
        std::size_t taken_ = 0;
        eddy::detail::ready_node node_;
    };

    write_op write(std::span<const std::byte> buf) noexcept { return {*this, buf}; }
    eddy::task<eddy::result<void>> shutdown() { co_return eddy::ok(); }

    bool has_waiting_write() const noexcept { return parked_ != nullptr; }
    /// Completes the waiting write: takes all its bytes and queues its coroutine.
    void open_gate() {
        write_op* op = std::exchange(parked_, nullptr);
        sink.insert(sink.end(), op->buf_.begin(), op->buf_.end());
        op->taken_ = op->buf_.size();
        eddy::detail::current_scheduler().schedule(op->node_);
    }

    std::vector<std::byte> sink;

  private:
    write_op* parked_ = nullptr;
};
static_assert(eddy::io::async_writer<gated_writer>);

template <class Reader> eddy::task<> fill_once(Reader& in) {
    auto got = co_await in.fill_buf();
    (void)got;
}

template <class Writer> eddy::task<> flush_once(Writer& out) {
    auto flushed = co_await out.flush();
    (void)flushed;
}

/// Bytes waiting in a socket's receive queue.
int unread_bytes(const tcp_stream& s) {
    int n = 0;
    REQUIRE(::ioctl(s.native_handle(), FIONREAD, &n) == 0);
    return n;
}

/// Sends eddy's log to `out` alone (not to the test's stderr) while it lives.
class captured_log {
  public:
    explicit captured_log(std::ostream& out) : usual_(eddy::detail::log().sinks()) {
        eddy::detail::log().sinks() = {std::make_shared<spdlog::sinks::ostream_sink_mt>(out)};
    }
    captured_log(const captured_log&) = delete;
    captured_log& operator=(const captured_log&) = delete;
    ~captured_log() { eddy::detail::log().sinks() = usual_; }

  private:
    std::vector<spdlog::sink_ptr> usual_;
};

} // namespace

TEST_CASE("fill_buf shows the buffered bytes without consuming them; consume moves on",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
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
    }());
}

TEST_CASE("a read of at least the capacity into an empty buffer goes straight to the inner "
          "reader",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
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
    }());
}

TEST_CASE("a buffered reader over TCP gives back every byte, read in pieces of any size",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
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
    }());
}

TEST_CASE("read_until finds a delimiter that arrives split across many reads", "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
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
    }());
}

TEST_CASE("read_line keeps each line's ending and gives a last line without one",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
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
    }());
}

TEST_CASE("a read_line cancelled by a timeout keeps what it read in the string", "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
        buffered_reader in(client);
        co_await eddy_test::write_text(server, "partial");
        std::string line;
        auto cut = co_await eddy::timeout(100ms, in.read_line(line));
        REQUIRE_FALSE(cut);
        CHECK(cut.error() == eddy::errc::timed_out);
        CHECK(line == "partial");
        co_await eddy_test::write_text(server, " line\n");
        auto n = co_await eddy::timeout(patience, in.read_line(line));
        REQUIRE(n);
        CHECK(line == "partial line\n");
    }());
}

TEST_CASE("a fill_buf cancelled by a timeout loses nothing that comes later", "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
        buffered_reader in(client);
        auto nothing = co_await eddy::timeout(50ms, in.fill_buf());
        REQUIRE_FALSE(nothing);
        CHECK(nothing.error() == eddy::errc::timed_out);
        co_await eddy_test::write_text(server, "late");
        auto got = co_await eddy::timeout(patience, in.fill_buf());
        REQUIRE(got);
        CHECK(text_of(*got) == "late");
    }());
}

TEST_CASE("bytes a fill took from the socket stay buffered when its task is aborted before it "
          "resumes",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
        buffered_reader in(client);
        scoped filler(eddy::spawn(fill_once(in)));
        co_await eddy::yield_now(); // the filler starts and waits for data
        co_await eddy_test::write_text(server, "salvaged");
        // This task stays queued (it yields), so when the reactor hands the data to the
        // waiting fill and queues the filler, this task runs before it: once the socket is
        // drained the fill has the bytes, and its task has not resumed yet.
        bool arrived = false, taken = false;
        for (int i = 0; i < 1'000'000 && !taken; ++i) {
            co_await eddy::yield_now();
            const int unread = unread_bytes(client);
            arrived = arrived || unread > 0;
            taken = arrived && unread == 0;
        }
        REQUIRE(taken);
        REQUIRE_FALSE(filler.is_finished());
        filler.handle().abort();
        auto got = co_await eddy::timeout(1s, in.fill_buf());
        REQUIRE(got);
        CHECK(text_of(*got) == "salvaged");
    }());
}

TEST_CASE("bytes a write-out sent are not sent again when its task is aborted before it "
          "resumes",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        gated_writer inner;
        buffered_writer out(inner, 16);
        auto n = co_await out.write(bytes_of("0123456789"));
        REQUIRE(n);
        scoped flusher(eddy::spawn(flush_once(out)));
        co_await eddy::yield_now(); // the flusher starts and waits at the gate
        REQUIRE(inner.has_waiting_write());
        inner.open_gate(); // the bytes go out; the flusher is queued, not yet resumed
        flusher.handle().abort();
        REQUIRE(out.buffer().empty()); // accounted for, so the flush below writes nothing
        auto flushed = co_await out.flush();
        REQUIRE(flushed);
        CHECK(text_of(inner.sink) == "0123456789");
    }());
}

TEST_CASE("a buffered reader can own a read half and give it back", "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
        auto [rd, wr] = std::move(client).into_split();
        buffered_reader<tcp_stream::owned_read_half> in(std::move(rd));
        co_await eddy_test::write_text(server, "one\ntwo\n");
        std::string line;
        auto n = co_await eddy::timeout(patience, in.read_line(line));
        REQUIRE(n);
        CHECK(line == "one\n");
        auto back = std::move(in).into_inner();
        auto again = eddy::net::reunite(std::move(back), std::move(wr));
        CHECK(again);
    }());
}

TEST_CASE("a buffered writer turns many small writes into few inner writes", "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        recording_writer inner;
        buffered_writer out(inner, 1024);
        const auto data = random_bytes(10'000, 3);
        for (std::size_t at = 0; at < data.size(); at += 10) {
            auto n = co_await out.write(std::span(data).subspan(at, 10));
            REQUIRE(n);
            REQUIRE(*n == 10);
        }
        CHECK(inner.sink.size() + out.buffer().size() == data.size());
        CHECK(inner.writes.size() == 9); // each time 1020 bytes were buffered and 10 more came
        auto flushed = co_await out.flush();
        REQUIRE(flushed);
        CHECK(out.buffer().empty());
        CHECK(inner.writes.size() == 10);
        CHECK(difference(inner.sink, data) == "");
    }());
}

TEST_CASE("flush writes out what is buffered, however many inner writes that takes",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        recording_writer inner(7); // takes at most 7 bytes a call
        buffered_writer out(inner, 64);
        const auto data = random_bytes(50, 4);
        auto n = co_await out.write(data);
        REQUIRE(n);
        CHECK(*n == 50);
        CHECK(inner.writes.empty());
        CHECK(out.buffer().size() == 50);
        auto flushed = co_await out.flush();
        REQUIRE(flushed);
        CHECK(inner.writes.size() == 8); // 7 * 7 + 1
        CHECK(difference(inner.sink, data) == "");
        auto again = co_await out.flush();
        REQUIRE(again);
        CHECK(inner.writes.size() == 8); // nothing left to write
    }());
}

TEST_CASE("shutdown writes out the buffer before it shuts the inner writer down",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        recording_writer inner;
        buffered_writer out(inner);
        auto n = co_await out.write(bytes_of("bye"));
        REQUIRE(n);
        auto closed = co_await out.shutdown();
        REQUIRE(closed);
        CHECK(text_of(inner.sink) == "bye");
        CHECK(inner.shutdowns == 1);
        CHECK(inner.shut_after == 3);
    }());
}

TEST_CASE("a write of at least the capacity skips the buffer once it is empty", "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        recording_writer inner;
        buffered_writer out(inner, 16);
        const auto big = random_bytes(100, 5);
        auto n = co_await out.write(big);
        REQUIRE(n);
        CHECK(*n == 100);
        CHECK(inner.writes == std::vector<std::size_t>{100}); // one call, no copy in between
        CHECK(out.buffer().empty());

        auto small = co_await out.write(bytes_of("abc"));
        REQUIRE(small);
        auto second = co_await out.write(big);
        REQUIRE(second);
        // The buffered bytes go first, then the big write on its own.
        CHECK(inner.writes == std::vector<std::size_t>{100, 3, 100});
        std::vector<std::byte> want(big);
        const auto abc = bytes_of("abc");
        want.insert(want.end(), abc.begin(), abc.end());
        want.insert(want.end(), big.begin(), big.end());
        CHECK(difference(inner.sink, want) == "");
    }());
}

TEST_CASE("a buffered writer over TCP delivers everything, and its shutdown ends the stream",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
        const auto data = random_bytes(1 << 20, 6);
        std::vector<std::byte> got(data.size());
        scoped reader(eddy::spawn(eddy_test::receive_exactly(server, got)));
        buffered_writer out(client);
        const std::size_t sizes[] = {1, 13, 500, 8191, 8192, 30000};
        for (std::size_t at = 0, i = 0; at < data.size(); ++i) {
            const std::size_t size = std::min(sizes[i % std::size(sizes)], data.size() - at);
            auto written = co_await eddy::timeout(
                patience, eddy::io::write_all(out, std::span(data).subspan(at, size)));
            REQUIRE(written);
            at += size;
        }
        auto closed = co_await eddy::timeout(patience, out.shutdown());
        REQUIRE(closed);
        auto received = co_await joined(reader.handle());
        CHECK(received); // everything, then the end of stream
        CHECK(difference(got, data) == "");
    }());
}

TEST_CASE("writes cancelled while the buffer goes out neither lose nor repeat bytes",
          "[io][buffered]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto [client, server] = co_await eddy_test::connected_pair();
        buffered_writer out(client, 64 * 1024);
        // Nobody reads yet: writes succeed until the socket's buffers are full, then one
        // times out while it waits to write the buffer out.
        std::vector<std::byte> accepted;
        std::uint64_t seed = 100;
        int cancelled = 0;
        while (cancelled < 3) {
            const auto piece = random_bytes(1000, seed++);
            auto n = co_await eddy::timeout(30ms, out.write(piece));
            if (!n) {
                REQUIRE(n.error() == eddy::errc::timed_out);
                ++cancelled;
                continue;
            }
            accepted.insert(accepted.end(), piece.begin(),
                            piece.begin() + static_cast<std::ptrdiff_t>(*n));
        }
        std::vector<std::byte> got(accepted.size());
        scoped reader(eddy::spawn(eddy_test::receive_exactly(server, got)));
        auto closed = co_await eddy::timeout(patience, out.shutdown());
        REQUIRE(closed);
        auto received = co_await joined(reader.handle());
        CHECK(received);
        CHECK(difference(got, accepted) == "");
    }());
}

TEST_CASE("destroying a buffered writer with unflushed bytes logs how many were lost",
          "[io][buffered]") {
    std::ostringstream logged;
    captured_log capture(logged);
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        recording_writer inner;
        {
            buffered_writer out(inner);
            auto n = co_await out.write(bytes_of("seventeen bytes!!"));
            REQUIRE(n);
        }
        CHECK(inner.sink.empty());
        {
            buffered_writer flushed(inner);
            auto n = co_await flushed.write(bytes_of("kept"));
            REQUIRE(n);
            auto ok = co_await flushed.flush();
            REQUIRE(ok);
        }
    }());
    const std::string text = logged.str();
    CHECK_THAT(text, Catch::Matchers::ContainsSubstring("17 unflushed bytes"));
    CHECK(std::count(text.begin(), text.end(), '\n') == 1); // the flushed one said nothing
}
