#include "captured_log.hpp"
#include "test_support.hpp"

#include "eddy/net/tcp_stream.hpp"
#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/runtime/yield_now.hpp"
#include "eddy/time/sleep.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using namespace eddy_test;

// --- spawn and join -----------------------------------------------------------------------

TEST_CASE("a spawned task's value reaches the task that awaits its join handle",
          "[runtime][spawn]") {
    eddy::runtime rt;
    auto r = rt.block_on([]() -> eddy::task<eddy::result<int>> {
        auto h = eddy::spawn(forty_two());
        co_return co_await h;
    }());
    REQUIRE(r);
    CHECK(*r == 42);
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("the join handle of a spawned void task gives success", "[runtime][spawn]") {
    eddy::runtime rt;
    bool ran = false;
    auto r = rt.block_on([](bool* flag) -> eddy::task<eddy::result<void>> {
        co_return co_await eddy::spawn(set_flag(flag));
    }(&ran));
    CHECK(r);
    CHECK(ran);
}

TEST_CASE("awaiting the join handle of a task that threw rethrows its exception",
          "[runtime][spawn]") {
    eddy::runtime rt;
    auto what = rt.block_on([]() -> eddy::task<std::string> {
        auto h = eddy::spawn(throw_runtime_error("boom"));
        try {
            co_await h;
        } catch (const std::runtime_error& e) {
            co_return e.what();
        }
        co_return "no exception";
    }());
    CHECK(what == "boom");
}

// --- abort --------------------------------------------------------------------------------

TEST_CASE("aborting a task that waits on a sleep frees its frame and its join handle gives "
          "operation_canceled",
          "[runtime][spawn][abort]") {
    eddy::runtime rt;
    bool woke = false;
    struct outcome {
        int alive_before, alive_after;
        bool finished;
        eddy::result<int> joined;
    };
    auto o = rt.block_on([](bool* woke) -> eddy::task<outcome> {
        auto h = eddy::spawn(value_after(1h, 1, woke));
        co_await eddy::yield_now(); // the task runs and parks on its sleep
        const int before = frame_counter::alive.load();
        h.abort();
        const int after = frame_counter::alive.load();
        const bool finished = h.is_finished();
        auto joined = co_await h; // not inside the braces below: g++ 12 miscompiles that
        co_return outcome{before, after, finished, std::move(joined)};
    }(&woke));
    CHECK(o.alive_before == 1);
    CHECK(o.alive_after == 0);
    CHECK(o.finished);
    REQUIRE_FALSE(o.joined);
    CHECK(o.joined.error() == eddy::errc::operation_canceled);
    CHECK_FALSE(woke);
}

TEST_CASE("aborting a task wakes the task already awaiting its join handle with "
          "operation_canceled",
          "[runtime][spawn][abort]") {
    eddy::runtime rt;
    auto r = rt.block_on([]() -> eddy::task<eddy::result<int>> {
        auto h = eddy::spawn(value_after(1h, 1));
        auto aborter = eddy::spawn([](eddy::join_handle<int>* victim) -> eddy::task<> {
            co_await eddy::sleep_for(1ms);
            victim->abort();
        }(&h));
        auto joined = co_await h; // parked here when the abort comes
        co_await aborter;
        co_return joined;
    }());
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::operation_canceled);
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("aborting a task that has not started yet frees its frame and its join handle "
          "gives operation_canceled",
          "[runtime][spawn][abort]") {
    eddy::runtime rt;
    struct outcome {
        bool finished;
        int alive_after;
        bool joined_canceled;
    };
    auto o = rt.block_on([]() -> eddy::task<outcome> {
        auto h = eddy::spawn(forty_two()); // queued, not run: this task has not yielded
        h.abort();
        outcome o{h.is_finished(), frame_counter::alive.load(), false};
        if (o.finished) { // awaiting an unfinished handle here would wait for ever
            auto r = co_await h;
            o.joined_canceled = !r && r.error() == eddy::errc::operation_canceled;
        }
        co_return o;
    }());
    CHECK(o.alive_after == 0);
    CHECK(o.finished);
    CHECK(o.joined_canceled);
}

// --- detached tasks and scheduling --------------------------------------------------------

TEST_CASE("a detached task runs to completion", "[runtime][spawn]") {
    eddy::runtime rt;
    bool done = false;
    bool seen = rt.block_on([](bool* done) -> eddy::task<bool> {
        eddy::spawn([](bool* done) -> eddy::task<> {
            for (int i = 0; i < 3; ++i)
                co_await eddy::sleep_for(1ms);
            *done = true;
        }(done))
            .detach();
        auto is_done = [done] { return *done; };
        co_return co_await eventually(is_done);
    }(&done));
    CHECK(seen);
    CHECK(done);
}

TEST_CASE("a task's exception is logged when its handle is dropped after it ended, unawaited",
          "[runtime][spawn]") {
    std::ostringstream logged;
    eddy_test::captured_log capture(logged);
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto failing = []() -> eddy::task<> {
            throw std::runtime_error("nobody awaited this");
            co_return;
        };
        auto h = eddy::spawn(failing());
        auto ended = [&h] { return h.is_finished(); };
        const bool finished = co_await eventually(ended);
        CHECK(finished);
        // h is dropped here, never awaited: the exception must not vanish.
    }());
    CHECK(logged.str().find("nobody awaited this") != std::string::npos);
}

TEST_CASE("a task's exception taken through its handle is not logged again", "[runtime][spawn]") {
    std::ostringstream logged;
    eddy_test::captured_log capture(logged);
    eddy::runtime rt;
    const bool rethrown = rt.block_on([]() -> eddy::task<bool> {
        auto failing = []() -> eddy::task<> {
            throw std::runtime_error("seen by the joiner");
            co_return;
        };
        auto h = eddy::spawn(failing());
        try {
            (void)co_await h;
        } catch (const std::runtime_error&) {
            co_return true;
        }
        co_return false;
    }());
    CHECK(rethrown);
    CHECK(logged.str().empty());
}

TEST_CASE("a task's exception taken with outcome() is not logged when the handle goes",
          "[runtime][spawn]") {
    std::ostringstream logged;
    eddy_test::captured_log capture(logged);
    eddy::runtime rt;
    const bool rethrown = rt.block_on([]() -> eddy::task<bool> {
        auto failing = []() -> eddy::task<> {
            throw std::runtime_error("seen through outcome()");
            co_return;
        };
        auto h = eddy::spawn(failing());
        auto ended = [&h] { return h.is_finished(); };
        const bool finished = co_await eventually(ended);
        if (!finished) co_return false;
        try {
            (void)h.outcome();
        } catch (const std::runtime_error&) {
            co_return true;
        }
        co_return false;
    }());
    CHECK(rethrown);
    CHECK(logged.str().empty());
}

TEST_CASE("yield_now lets the other ready tasks of the core run first", "[runtime][yield]") {
    eddy::runtime rt;
    std::vector<int> order;
    rt.block_on([](std::vector<int>* order) -> eddy::task<> {
        auto take_turns = [](int id, std::vector<int>* order) -> eddy::task<> {
            for (int i = 0; i < 3; ++i) {
                order->push_back(id);
                co_await eddy::yield_now();
            }
        };
        auto a = eddy::spawn(take_turns(1, order));
        auto b = eddy::spawn(take_turns(2, order));
        co_await a;
        co_await b;
    }(&order));
    CHECK(order == std::vector<int>{1, 2, 1, 2, 1, 2});
}

TEST_CASE("a task that loops on yield_now cannot starve a task that waits on a timer",
          "[runtime][fairness]") {
    eddy::runtime rt;
    bool flag = false;
    bool seen = rt.block_on([](bool* flag) -> eddy::task<bool> {
        eddy::spawn([](bool* flag) -> eddy::task<> {
            co_await eddy::sleep_for(1ms);
            *flag = true;
        }(flag))
            .detach();
        const auto deadline = eddy::clock::now() + 10s;
        while (!*flag && eddy::clock::now() < deadline)
            co_await eddy::yield_now();
        co_return *flag;
    }(&flag));
    CHECK(seen);
}

TEST_CASE("a task whose readiness waits are always ready still lets the other tasks of its "
          "core run",
          "[runtime][fairness]") {
    eddy::runtime rt;
    constexpr int limit = 100'000;
    int spins = rt.block_on([]() -> eddy::task<int> {
        auto [client, server] = co_await connected_pair();
        co_await client.writable(); // from here on, each wait completes without suspending
        bool other_ran = false;
        eddy::spawn(set_flag(&other_ran)).detach();
        int i = 0;
        for (; i < limit && !other_ran; ++i)
            co_await client.writable();
        co_return i;
    }());
    CHECK(spins < limit);
}

// --- stop ---------------------------------------------------------------------------------

namespace {

eddy::task<> sleep_an_hour(std::atomic<int>* started, frame_counter = {}) {
    started->fetch_add(1);
    co_await eddy::sleep_for(1h);
}

eddy::task<> join_a_sleeper(std::atomic<int>* started, frame_counter = {}) {
    auto h = eddy::spawn(sleep_an_hour(started));
    started->fetch_add(1);
    (void)co_await h;
}

// Reads from a loopback connection whose peer never writes; counts reads that end canceled.
eddy::task<> read_forever(std::atomic<int>* started, std::atomic<int>* canceled,
                          frame_counter = {}) {
    auto [client, server] = co_await connected_pair();
    std::array<std::byte, 16> buf;
    started->fetch_add(1);
    auto n = co_await server.read(buf);
    if (!n && n.error() == eddy::errc::operation_canceled) canceled->fetch_add(1);
}

eddy::task<bool> start_waiters_then_stop(eddy::runtime* rt, std::atomic<int>* started,
                                         std::atomic<int>* canceled) {
    for (std::size_t core = 0; core < 2; ++core) {
        eddy::spawn_on(core, sleep_an_hour(started));
        eddy::spawn_on(core, join_a_sleeper(started));
        eddy::spawn_on(core, read_forever(started, canceled));
    }
    // Per core: the sleeper, the joiner and its sleeper, the reader.
    auto all_started = [started] { return started->load() == 8; };
    bool all_waiting = co_await eventually(all_started);
    rt->stop();
    co_return all_waiting;
}

} // namespace

TEST_CASE("stop() ends the waits of tasks on every core, and the runtime frees every task",
          "[runtime][stop]") {
    std::atomic<int> started{0};
    std::atomic<int> canceled{0};
    {
        eddy::runtime rt{{.cores = 2}};
        CHECK(rt.block_on(start_waiters_then_stop(&rt, &started, &canceled)));
        CHECK(rt.stopped());
    }
    CHECK(started == 8);
    CHECK(canceled == 2);
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("stop() from another thread cancels the read that block_on's task waits on",
          "[runtime][stop]") {
    eddy::runtime rt;
    std::atomic<bool> reading{false};
    std::jthread stopper([&] {
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (!reading && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(1ms);
        rt.stop();
    });
    auto r = rt.block_on([](std::atomic<bool>* reading) -> eddy::task<eddy::result<std::size_t>> {
        auto [client, server] = co_await connected_pair();
        std::array<std::byte, 16> buf;
        reading->store(true);
        co_return co_await server.read(buf);
    }(&reading));
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::operation_canceled);
}

TEST_CASE("block_on on a stopped runtime throws std::system_error", "[runtime][stop]") {
    {
        eddy::runtime rt;
        rt.stop();
        for (int attempt = 0; attempt < 2; ++attempt) {
            std::error_code code;
            try {
                rt.block_on(value_after(1h, 1));
            } catch (const std::system_error& e) {
                code = e.code();
            }
            CHECK(code == eddy::errc::operation_canceled);
        }
    }
    CHECK(frame_counter::alive == 0);
}
