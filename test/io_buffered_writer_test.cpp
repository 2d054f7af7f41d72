#include "captured_log.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::io::buffered_writer;
using eddy::net::tcp_stream;
using namespace eddy_test;

static_assert(eddy::io::async_writer<buffered_writer<tcp_stream&>>);
static_assert(eddy::io::async_writer<buffered_writer<tcp_stream::owned_write_half>>);

namespace {

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

template <class Writer> eddy::task<> flush_once(Writer& out) {
    auto flushed = co_await out.flush();
    (void)flushed;
}

} // namespace

EDDY_TEST_CASE("bytes a write-out sent are not sent again when its task is aborted before it "
               "resumes",
               "[io][buffered]") {
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
}

EDDY_TEST_CASE("a buffered writer turns many small writes into few inner writes",
               "[io][buffered]") {
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
}

EDDY_TEST_CASE("flush writes out what is buffered, however many inner writes that takes",
               "[io][buffered]") {
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
}

EDDY_TEST_CASE("shutdown writes out the buffer before it shuts the inner writer down",
               "[io][buffered]") {
    recording_writer inner;
    buffered_writer out(inner);
    auto n = co_await out.write(bytes_of("bye"));
    REQUIRE(n);
    auto closed = co_await out.shutdown();
    REQUIRE(closed);
    CHECK(text_of(inner.sink) == "bye");
    CHECK(inner.shutdowns == 1);
    CHECK(inner.shut_after == 3);
}

EDDY_TEST_CASE("a write of at least the capacity skips the buffer once it is empty",
               "[io][buffered]") {
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
}

EDDY_TEST_CASE("a buffered writer over TCP delivers everything, and its shutdown ends the stream",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
    const auto data = random_bytes(1 << 20, 6);
    std::vector<std::byte> got(data.size());
    scoped reader(eddy::spawn(receive_exactly(server, got)));
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
}

EDDY_TEST_CASE("writes cancelled while the buffer goes out neither lose nor repeat bytes",
               "[io][buffered]") {
    auto [client, server] = co_await connected_pair();
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
    scoped reader(eddy::spawn(receive_exactly(server, got)));
    auto closed = co_await eddy::timeout(patience, out.shutdown());
    REQUIRE(closed);
    auto received = co_await joined(reader.handle());
    CHECK(received);
    CHECK(difference(got, accepted) == "");
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
