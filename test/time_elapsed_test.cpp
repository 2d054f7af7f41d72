// Timers that are already due: a sleep whose deadline has passed and the ticks of an interval
// that is behind complete at once, but must still let the core's other tasks run (they count
// against the coop budget) and must end when the runtime stops.
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

using namespace std::chrono_literals;

namespace {

constexpr long loop_limit = 5'000'000;

/// Loops on elapsed sleeps until `*stop` or the limit; gives the number of sleeps done.
eddy::task<long> sleep_zero_loop(const bool* stop) {
    long n = 0;
    while (!*stop && n < loop_limit) {
        co_await eddy::sleep_for(0ms);
        ++n;
    }
    co_return n;
}

/// Loops on the ticks of an interval that is always behind (a period far shorter than one
/// turn of the loop).
eddy::task<long> late_interval_loop(const bool* stop) {
    eddy::interval every(1ns);
    long n = 0;
    while (!*stop && n < loop_limit) {
        co_await every.tick();
        ++n;
    }
    co_return n;
}

eddy::task<> raise_flag(bool* flag) {
    *flag = true;
    co_return;
}

} // namespace

TEST_CASE("a task looping on sleep_for(0) lets another task of its core run",
          "[time][sleep][fairness]") {
    eddy::runtime rt;
    const long loops = rt.block_on([]() -> eddy::task<long> {
        bool stop = false;
        auto looper = eddy::spawn(sleep_zero_loop(&stop));
        auto other = eddy::spawn(raise_flag(&stop)); // ends the loop once it gets to run
        co_await other;
        auto n = co_await looper;
        co_return n.value();
    }());
    CHECK(loops < loop_limit);
}

TEST_CASE("a task looping on the ticks of a late interval lets another task of its core run",
          "[time][interval][fairness]") {
    eddy::runtime rt;
    const long loops = rt.block_on([]() -> eddy::task<long> {
        bool stop = false;
        auto looper = eddy::spawn(late_interval_loop(&stop));
        auto other = eddy::spawn(raise_flag(&stop));
        co_await other;
        auto n = co_await looper;
        co_return n.value();
    }());
    CHECK(loops < loop_limit);
}

TEST_CASE("stop() ends tasks looping on elapsed sleeps and late ticks with operation_canceled",
          "[time][stop]") {
    static std::atomic<int> canceled{0}, started{0};
    auto sleeper = [](std::atomic<int>* canceled) -> eddy::task<> {
        started.fetch_add(1);
        for (long i = 0; i < 1'000'000'000; ++i) {
            auto r = co_await eddy::sleep_for(0ms);
            if (!r) {
                if (r.error() == eddy::errc::operation_canceled) canceled->fetch_add(1);
                co_return;
            }
        }
    };
    auto ticker = [](std::atomic<int>* canceled) -> eddy::task<> {
        started.fetch_add(1);
        eddy::interval every(1ns);
        for (long i = 0; i < 1'000'000'000; ++i) {
            auto r = co_await every.tick();
            if (!r) {
                if (r.error() == eddy::errc::operation_canceled) canceled->fetch_add(1);
                co_return;
            }
        }
    };
    auto rt = std::make_unique<eddy::runtime>(eddy::runtime_options{.cores = 2});
    std::thread stopper([&rt] {
        // Once both loops run (bounded: a loop that never starts fails the check below).
        for (int i = 0; i < 1000 && started.load() < 2; ++i)
            std::this_thread::sleep_for(10ms);
        std::this_thread::sleep_for(20ms);
        rt->stop();
    });
    // Core 1 runs the ticker; core 0 (this thread) runs the sleeper until the stop.
    try {
        rt->block_on([](auto sleeper, auto ticker, std::atomic<int>* canceled) -> eddy::task<> {
            eddy::spawn_on(1, ticker(canceled));
            co_await sleeper(canceled);
        }(sleeper, ticker, &canceled));
    } catch (const std::system_error& e) {
        CHECK(e.code() == eddy::errc::operation_canceled);
    }
    stopper.join();
    rt.reset(); // joins core 1, which ends its loop when it sees the stop
    CHECK(canceled.load() == 2);
}
