#include "test_support.hpp"

#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/runtime/yield_now.hpp"
#include "eddy/time/interval.hpp"
#include "eddy/time/sleep.hpp"
#include "eddy/time/timeout.hpp"

#include <catch2/catch_test_macros.hpp>

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using namespace eddy_test;

namespace {

constexpr auto period = 5ms; // of the intervals below

/// The ids in the order their sleepers woke: each id sleeps until `step` * (id + 1) from
/// now. With a `busy_for` past every deadline, the core's thread is kept busy that long once
/// all sleepers have parked, so that they all come due at once.
eddy::task<std::vector<int>> wake_order(std::vector<int> ids, eddy::clock::duration step,
                                        std::chrono::milliseconds busy_for = 0ms) {
    std::vector<int> order;
    const auto base = eddy::clock::now() + step;
    auto sleeper = [](eddy::clock::time_point at, int id, std::vector<int>* order) -> eddy::task<> {
        co_await eddy::sleep_until(at);
        order->push_back(id);
    };
    std::vector<eddy::join_handle<void>> handles;
    for (int id : ids)
        handles.push_back(eddy::spawn(sleeper(base + id * step, id, &order)));
    if (busy_for > 0ms) {
        co_await eddy::yield_now();            // every sleeper parks
        std::this_thread::sleep_for(busy_for); // the core is busy past every deadline
    }
    for (auto& h : handles)
        co_await h;
    co_return order;
}

} // namespace

// --- sleep --------------------------------------------------------------------------------

TEST_CASE("sleep_for completes no earlier than the time asked for", "[time][sleep]") {
    eddy::runtime rt;
    for (auto d : {1ms, 5ms, 20ms}) {
        auto elapsed =
            rt.block_on([](std::chrono::milliseconds d) -> eddy::task<eddy::clock::duration> {
                const auto start = eddy::clock::now();
                co_await eddy::sleep_for(d);
                co_return eddy::clock::now() - start;
            }(d));
        CHECK(elapsed >= d);
    }
}

TEST_CASE("sleep_until completes no earlier than its deadline", "[time][sleep]") {
    eddy::runtime rt;
    const auto deadline = eddy::clock::now() + 15ms;
    auto woke =
        rt.block_on([](eddy::clock::time_point deadline) -> eddy::task<eddy::clock::time_point> {
            co_await eddy::sleep_until(deadline);
            co_return eddy::clock::now();
        }(deadline));
    CHECK(woke >= deadline);
}

TEST_CASE("a sleep whose deadline has passed completes without suspending", "[time][sleep]") {
    eddy::runtime rt;
    bool other_ran = rt.block_on([]() -> eddy::task<bool> {
        bool other_ran = false;
        auto other = eddy::spawn(set_flag(&other_ran)); // runs only if this task suspends
        co_await eddy::sleep_until(eddy::clock::now() - 1s);
        co_await eddy::sleep_for(0ms);
        const bool ran = other_ran;
        co_await other;
        co_return ran;
    }());
    CHECK_FALSE(other_ran);
}

TEST_CASE("sleeps wake in the order of their deadlines", "[time][sleep]") {
    eddy::runtime rt;
    auto order = rt.block_on(wake_order({4, 1, 3, 0, 2}, 5ms));
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("sleeps that are all due by the time the core looks wake in deadline order",
          "[time][sleep]") {
    eddy::runtime rt;
    auto order = rt.block_on(wake_order({3, 0, 4, 2, 1}, 1ms, 10ms));
    CHECK(order == std::vector<int>{0, 1, 2, 3, 4});
}

TEST_CASE("a sleep cancelled by aborting its task never fires", "[time][sleep]") {
    eddy::runtime rt;
    bool fired = false;
    rt.block_on([](bool* fired) -> eddy::task<> {
        auto h = eddy::spawn(value_after(5ms, 1, fired));
        co_await eddy::yield_now(); // it parks on its sleep
        h.abort();
        co_await eddy::sleep_for(30ms); // well past the aborted sleep's deadline
    }(&fired));
    CHECK_FALSE(fired);
    CHECK(frame_counter::alive == 0);
}

// --- timeout ------------------------------------------------------------------------------

TEST_CASE("a timeout shorter than the sleep it wraps gives timed_out", "[time][timeout]") {
    eddy::runtime rt;
    auto r = rt.block_on([]() -> eddy::task<eddy::result<void>> {
        co_return co_await eddy::timeout(5ms, eddy::sleep_for(1h));
    }());
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::timed_out);
}

TEST_CASE("a timeout longer than the sleep it wraps gives success, no earlier than the sleep",
          "[time][timeout]") {
    eddy::runtime rt;
    struct outcome {
        eddy::result<void> r;
        eddy::clock::duration elapsed;
    };
    auto o = rt.block_on([]() -> eddy::task<outcome> {
        const auto start = eddy::clock::now();
        auto r = co_await eddy::timeout(1h, eddy::sleep_for(5ms));
        co_return outcome{r, eddy::clock::now() - start};
    }());
    CHECK(o.r);
    CHECK(o.elapsed >= 5ms);
}

TEST_CASE("a task that times out is destroyed with the sleep it waited on, which never fires",
          "[time][timeout]") {
    eddy::runtime rt;
    bool finished = false;
    struct outcome {
        eddy::result<int> r;
        int alive_after;
    };
    auto o = rt.block_on([](bool* finished) -> eddy::task<outcome> {
        auto r = co_await eddy::timeout(2ms, value_after(10ms, 1, finished));
        const int alive = frame_counter::alive;
        co_await eddy::sleep_for(30ms); // well past the destroyed task's own sleep
        co_return outcome{r, alive};
    }(&finished));
    REQUIRE_FALSE(o.r);
    CHECK(o.r.error() == eddy::errc::timed_out);
    CHECK(o.alive_after == 0);
    CHECK_FALSE(finished);
}

TEST_CASE("a task that finishes before its timeout gives its value", "[time][timeout]") {
    eddy::runtime rt;
    auto [immediate, slept] =
        rt.block_on([]() -> eddy::task<std::pair<eddy::result<int>, eddy::result<int>>> {
            auto immediate = co_await eddy::timeout(1h, value_after(0ms, 7));
            auto slept = co_await eddy::timeout(1h, value_after(2ms, 8));
            co_return std::pair{immediate, slept};
        }());
    REQUIRE(immediate);
    CHECK(*immediate == 7);
    REQUIRE(slept);
    CHECK(*slept == 8);
    CHECK(frame_counter::alive == 0);
}

// --- interval -----------------------------------------------------------------------------

TEST_CASE("an interval's first tick completes at once", "[time][interval]") {
    eddy::runtime rt;
    struct outcome {
        bool other_ran;
        eddy::clock::time_point made, first;
    };
    auto o = rt.block_on([]() -> eddy::task<outcome> {
        bool other_ran = false;
        auto other = eddy::spawn(set_flag(&other_ran)); // runs only if this task suspends
        const auto before = eddy::clock::now();
        eddy::interval every(1h);
        auto first = co_await every.tick();
        outcome o{other_ran, before, first.value()};
        co_await other;
        co_return o;
    }());
    CHECK_FALSE(o.other_ran);
    CHECK(o.first >= o.made);
}

TEST_CASE("an interval's deadlines advance by exactly its period", "[time][interval]") {
    eddy::runtime rt;
    struct tick {
        eddy::clock::time_point due, woke;
    };
    auto ticks = rt.block_on([]() -> eddy::task<std::vector<tick>> {
        eddy::interval every(period);
        std::vector<tick> ticks;
        for (int i = 0; i < 6; ++i) {
            auto due = co_await every.tick();
            ticks.push_back({due.value(), eddy::clock::now()});
        }
        co_return ticks;
    }());
    REQUIRE(ticks.size() == 6);
    for (std::size_t i = 0; i < ticks.size(); ++i) {
        CHECK(ticks[i].due == ticks[0].due + static_cast<int>(i) * period);
        CHECK(ticks[i].woke >= ticks[i].due);
    }
}

TEST_CASE("an interval that falls behind catches up on its schedule without drifting",
          "[time][interval]") {
    eddy::runtime rt;
    auto dues = rt.block_on([]() -> eddy::task<std::vector<eddy::clock::time_point>> {
        eddy::interval every(period);
        std::vector<eddy::clock::time_point> dues;
        for (int i = 0; i < 10; ++i) {
            auto due = co_await every.tick();
            dues.push_back(due.value());
            if (i == 2)
                std::this_thread::sleep_for(4 * period); // the core is busy: ticks are missed
        }
        co_return dues;
    }());
    REQUIRE(dues.size() == 10);
    for (std::size_t i = 0; i < dues.size(); ++i)
        CHECK(dues[i] == dues[0] + static_cast<int>(i) * period);
}
