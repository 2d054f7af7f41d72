#include "test_support.hpp"

#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/runtime/yield_now.hpp"
#include "eddy/time/sleep.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sched.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace eddy_test;

TEST_CASE("on(core) moves the awaiting coroutine to that core and back", "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    struct outcome {
        std::size_t count, there, back;
        std::thread::id there_thread, back_thread;
    };
    auto o = rt.block_on([]() -> eddy::task<outcome> {
        outcome o{eddy::core_count(), 0, 0, {}, {}};
        co_await eddy::on(1);
        o.there = eddy::current_core();
        o.there_thread = std::this_thread::get_id();
        co_await eddy::on(0);
        o.back = eddy::current_core();
        o.back_thread = std::this_thread::get_id();
        co_return o;
    }());
    CHECK(o.count == 2);
    CHECK(o.there == 1);
    CHECK(o.back == 0);
    CHECK(o.there_thread != std::this_thread::get_id());
    CHECK(o.back_thread == std::this_thread::get_id());
}

TEST_CASE("submit_to runs a function on another core and brings its value back",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    std::atomic<std::size_t> void_ran_on{99};
    struct outcome {
        std::size_t value_from, home_after;
    };
    auto o = rt.block_on([](std::atomic<std::size_t>* void_ran_on) -> eddy::task<outcome> {
        outcome o{};
        o.value_from = co_await eddy::submit_to(1, [] { return eddy::current_core(); });
        co_await eddy::submit_to(1, [void_ran_on] { void_ran_on->store(eddy::current_core()); });
        o.home_after = eddy::current_core();
        co_return o;
    }(&void_ran_on));
    CHECK(o.value_from == 1);
    CHECK(void_ran_on == 1);
    CHECK(o.home_after == 0);
}

TEST_CASE("submit_to runs the task a function returns to completion on that core",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    std::atomic<int> void_ran_on{99};
    auto from = rt.block_on([](std::atomic<int>* void_ran_on) -> eddy::task<std::size_t> {
        auto v = co_await eddy::submit_to(1, []() -> eddy::task<std::size_t> {
            co_await eddy::sleep_for(1ms);
            co_return eddy::current_core();
        });
        co_await eddy::submit_to(1, [void_ran_on]() -> eddy::task<> {
            co_await eddy::yield_now();
            void_ran_on->store(static_cast<int>(eddy::current_core()));
        });
        co_return v;
    }(&void_ran_on));
    CHECK(from == 1);
    CHECK(void_ran_on == 1);
}

TEST_CASE("submit_to carries an exception back to the calling core", "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    auto caught = rt.block_on([]() -> eddy::task<std::vector<std::string>> {
        std::vector<std::string> caught;
        try {
            co_await eddy::submit_to(1, []() -> int { throw std::runtime_error("plain"); });
        } catch (const std::runtime_error& e) {
            caught.push_back(std::string(e.what()) + "@" + std::to_string(eddy::current_core()));
        }
        try {
            co_await eddy::submit_to(1, [] { return throw_runtime_error("task"); });
        } catch (const std::runtime_error& e) {
            caught.push_back(std::string(e.what()) + "@" + std::to_string(eddy::current_core()));
        }
        co_return caught;
    }());
    CHECK(caught == std::vector<std::string>{"plain@0", "task@0"});
}

TEST_CASE("spawn_on starts a detached task on another core", "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    std::atomic<int> ran_on{-1};
    bool seen = rt.block_on([](std::atomic<int>* ran_on) -> eddy::task<bool> {
        eddy::spawn_on(1, [](std::atomic<int>* ran_on) -> eddy::task<> {
            co_await eddy::yield_now();
            ran_on->store(static_cast<int>(eddy::current_core()));
        }(ran_on));
        auto has_run = [ran_on] { return ran_on->load() != -1; };
        co_return co_await eventually(has_run);
    }(&ran_on));
    CHECK(seen);
    CHECK(ran_on == 1);
}

TEST_CASE("run_on_all_cores calls the factory once on each core and returns 0",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    std::array<std::atomic<int>, 2> calls{};
    std::atomic<int> finished{0};
    int rc = rt.run_on_all_cores([&calls, &finished] {
        calls[eddy::current_core()].fetch_add(1);
        return [](std::atomic<int>* finished) -> eddy::task<> {
            co_await eddy::sleep_for(1ms);
            finished->fetch_add(1);
        }(&finished);
    });
    CHECK(rc == 0);
    CHECK(calls[0] == 1);
    CHECK(calls[1] == 1);
    CHECK(finished == 2);
}

TEST_CASE("run_on_all_cores returns 1 when the task of one core throws", "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    int rc = rt.run_on_all_cores([]() -> eddy::task<> {
        co_await eddy::yield_now();
        if (eddy::current_core() == 1) throw std::runtime_error("core 1 fails on purpose");
    });
    CHECK(rc == 1);
}

namespace {

// The CPUs the calling thread may run on.
int allowed_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return -1;
    return CPU_COUNT(&set);
}

// Puts the calling thread's CPU affinity back when the test ends (the runtime pins core 0,
// which is this thread).
struct affinity_restorer {
    cpu_set_t saved;
    affinity_restorer() { sched_getaffinity(0, sizeof saved, &saved); }
    ~affinity_restorer() { sched_setaffinity(0, sizeof saved, &saved); }
};

} // namespace

TEST_CASE("pinned cores each run on one CPU", "[runtime][cross_core]") {
    if (allowed_cpus() < 2) SKIP("needs two CPUs");
    affinity_restorer restore;
    eddy::runtime rt{{.cores = 2, .pin = true}};
    auto counts = rt.block_on([]() -> eddy::task<std::array<int, 2>> {
        const int here = allowed_cpus();
        const int there = co_await eddy::submit_to(1, [] { return allowed_cpus(); });
        co_return std::array<int, 2>{here, there};
    }());
    CHECK(counts[0] == 1);
    CHECK(counts[1] == 1);
}
