// Counts heap allocations (this executable replaces the global operator new and delete) to
// show that coroutine frames are freed: by a task that finishes, by one never awaited, and
// by a spawned task that is aborted.
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/time/sleep.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <new>

namespace {
std::atomic<long> allocations{0};
std::atomic<long> live{0};
} // namespace

void* operator new(std::size_t size) {
    void* p = std::malloc(size == 0 ? 1 : size);
    if (!p) throw std::bad_alloc();
    allocations.fetch_add(1);
    live.fetch_add(1);
    return p;
}
void operator delete(void* p) noexcept {
    if (!p) return;
    live.fetch_sub(1);
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    operator delete(p);
}

namespace {

using namespace std::chrono_literals;

eddy::task<int> leaf(int v) {
    co_return v;
}

eddy::task<int> chain(int depth) {
    if (depth == 0) co_return co_await leaf(1);
    co_return 1 + co_await chain(depth - 1);
}

eddy::task<> sleeps_long() {
    co_await eddy::sleep_for(1h);
}

struct counts {
    long allocated;
    long still_live;
};

} // namespace

TEST_CASE("a chain of tasks frees every frame it allocated", "[task][alloc]") {
    eddy::runtime rt;
    auto measured = rt.block_on([]() -> eddy::task<counts> {
        const long allocated_before = allocations.load();
        const long live_before = live.load();
        int v = co_await chain(10);
        co_return counts{allocations.load() - allocated_before,
                         live.load() - live_before + (v - 11)};
    }());
    CHECK(measured.allocated >= 12); // one frame per call: the count does see the frames
    CHECK(measured.still_live == 0);
}

TEST_CASE("a task that is never awaited frees its frame", "[task][alloc]") {
    const long live_before = live.load();
    {
        auto t = chain(3);
        CHECK(live.load() == live_before + 1); // lazy: only the outer frame exists
    }
    CHECK(live.load() == live_before);
}

TEST_CASE("an aborted spawned task frees its frames", "[task][alloc]") {
    eddy::runtime rt;
    auto still_live = rt.block_on([]() -> eddy::task<long> {
        // The first round grows the core's timer heap to its working size; the second is
        // the one measured.
        long live_before = 0;
        for (int round = 0; round < 2; ++round) {
            live_before = live.load();
            auto h = eddy::spawn(sleeps_long());
            co_await eddy::sleep_for(1ms); // let it start and park on its timer
            h.abort();
            auto outcome = co_await h;
            if (outcome || outcome.error() != eddy::errc::operation_canceled) co_return -1;
        }
        co_return live.load() - live_before;
    }());
    CHECK(still_live == 0);
}
