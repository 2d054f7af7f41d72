// A cancellation (abort, timeout) goes down through tasks and I/O adapters to the operation
// that waits: it is refused while that operation has completed or its task is on another
// core, and then retried, never lost and never spinning.
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <span>
#include <thread>

using namespace std::chrono_literals;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

eddy::task<int> child_ends_away() {
    co_await eddy::on(1);
    std::this_thread::sleep_for(30ms); // the abort comes meanwhile
    co_return 1;
}

eddy::task<int> parent_of_away_child(std::atomic<bool>* went_on) {
    const int v = co_await child_ends_away();
    went_on->store(true);
    co_return v;
}

/// A reader whose `read` is a task, as any adapter written as a coroutine is.
struct task_reader {
    unix_stream* stream;
    eddy::task<eddy::result<std::size_t>> read(std::span<std::byte> b) {
        co_return co_await stream->read(b);
    }
};

/// A reader whose `read` spends a while on core 1 before it answers.
struct away_reader {
    eddy::task<eddy::result<std::size_t>> read(std::span<std::byte>) {
        co_await eddy::on(1);
        std::this_thread::sleep_for(200ms);
        co_await eddy::on(0);
        co_return std::size_t{0};
    }
};

template <class R> eddy::task<> fill_once(eddy::io::buffered_reader<R>* in) {
    auto got = co_await in->fill_buf();
    (void)got;
}

} // namespace

TEST_CASE("an abort that meets a child task ending on another core ends the task canceled",
          "[runtime][cancel][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    std::atomic<bool> went_on{false};
    rt.block_on([](std::atomic<bool>* went_on) -> eddy::task<> {
        auto h = eddy::spawn(parent_of_away_child(went_on));
        co_await eddy::sleep_for(10ms); // the child has landed on core 1 and runs there
        h.abort();
        auto r = co_await eddy::timeout(patience, join(h));
        REQUIRE_FALSE(r);
        CHECK(r.error() == eddy::errc::operation_canceled);
    }(&went_on));
    CHECK_FALSE(went_on.load());
}

EDDY_TEST_CASE("aborting a task whose buffered fill completed inside an inner task is clean",
               "[io][buffered][cancel]") {
    auto streams = expect(unix_stream::pair(), "pair");
    eddy::io::buffered_reader<task_reader> in(task_reader{&streams.first});
    auto filler = eddy::spawn(fill_once(&in));
    co_await eddy::yield_now(); // it parks in the inner task's read
    co_await write_text(streams.second, "data");
    co_await eddy::yield_now(); // the reactor completes that read and queues the task
    REQUIRE_FALSE(filler.is_finished());
    filler.abort();
    auto r = co_await eddy::timeout(patience, join(filler));
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::operation_canceled);
}

EDDY_TEST_CASE_WITH(
    "a timeout around an adapter whose inner task is on another core times out when it "
    "comes back",
    "[io][buffered][cancel][cross_core]", .cores = 2) {
    eddy::io::buffered_reader<away_reader> in(away_reader{});
    auto r = co_await eddy::timeout(10ms, in.fill_buf());
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::timed_out);
}
