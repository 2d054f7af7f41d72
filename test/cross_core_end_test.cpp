// Tasks that end on another core than the one that awaits them, and cancellations (abort,
// timeout) of tasks that are away or in flight between cores.
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <random>
#include <semaphore>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using namespace eddy_test;

namespace {

eddy::task<int> ends_on(std::size_t core, int v, frame_counter = {}) {
    co_await eddy::on(core);
    co_return v;
}

/// Holds core 1's thread inside a task until opened, so that whatever is posted to core 1
/// meanwhile waits in its inbox: a hop to core 1 stays in flight.
struct core_gate {
    std::binary_semaphore entered{0};
    std::binary_semaphore opened{0};
};

eddy::task<> hold_thread(core_gate* gate) {
    gate->entered.release();
    gate->opened.acquire();
    co_return;
}

/// Closes core 1's gate; returns once core 1 is held.
void close_core_one(core_gate& gate) {
    eddy::spawn_on(1, hold_thread(&gate));
    gate.entered.acquire();
}

eddy::task<> open_after(core_gate* gate, eddy::clock::duration d) {
    co_await eddy::sleep_for(d);
    gate->opened.release();
}

/// Goes to core 1 (setting `*landed` there) and back, then gives 1.
eddy::task<int> round_trip(bool* landed, frame_counter = {}) {
    co_await eddy::on(1);
    *landed = true;
    co_await eddy::on(0);
    co_return 1;
}

} // namespace

TEST_CASE("block_on returns the value of a task that ends on another core",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    CHECK(rt.block_on(ends_on(1, 7)) == 7);
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("a task awaiting one that ends on another core resumes on its own core",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    auto core_after = rt.block_on([]() -> eddy::task<std::size_t> {
        const int v = co_await ends_on(1, 3);
        REQUIRE(v == 3);
        co_return eddy::current_core();
    }());
    CHECK(core_after == 0);
}

TEST_CASE("a join handle of a task that ends on another core is resumed at home",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    rt.block_on([]() -> eddy::task<> {
        auto h = eddy::spawn(ends_on(1, 5));
        auto v = co_await h;
        REQUIRE(v);
        CHECK(*v == 5);
        CHECK(eddy::current_core() == 0);
    }());
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("10,000 tasks that end on another core are all joined from home",
          "[runtime][cross_core]") {
    eddy::runtime rt{{.cores = 2}};
    auto sum = rt.block_on([]() -> eddy::task<long> {
        std::vector<eddy::join_handle<int>> handles;
        for (int i = 0; i < 10'000; ++i)
            handles.push_back(eddy::spawn(ends_on(1, i)));
        long total = 0;
        for (auto& h : handles) {
            auto v = co_await eddy::timeout(patience, join(h));
            REQUIRE(v);
            REQUIRE(eddy::current_core() == 0);
            total += *v;
        }
        co_return total;
    }());
    CHECK(sum == 10'000L * 9'999 / 2);
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("a task aborted while its hop is in flight ends canceled when the hop lands",
          "[runtime][cross_core][cancel]") {
    eddy::runtime rt{{.cores = 2}};
    bool landed = false;
    rt.block_on([](bool* landed) -> eddy::task<> {
        core_gate gate;
        close_core_one(gate);
        auto h = eddy::spawn(round_trip(landed));
        co_await eddy::yield_now(); // it starts and posts itself to core 1, which is held
        REQUIRE_FALSE(h.is_finished());
        h.abort();
        CHECK_FALSE(h.is_finished()); // it is not here to be destroyed yet
        gate.opened.release();
        auto r = co_await eddy::timeout(patience, join(h));
        REQUIRE_FALSE(r);
        CHECK(r.error() == eddy::errc::operation_canceled);
    }(&landed));
    CHECK_FALSE(landed); // it never ran on core 1
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("a timeout that expires while its task is in flight gives timed_out when the hop "
          "lands",
          "[runtime][cross_core][cancel]") {
    eddy::runtime rt{{.cores = 2}};
    bool landed = false;
    rt.block_on([](bool* landed) -> eddy::task<> {
        core_gate gate;
        close_core_one(gate);
        auto opener = eddy::spawn(open_after(&gate, 100ms));
        auto r = co_await eddy::timeout(10ms, round_trip(landed));
        REQUIRE_FALSE(r);
        CHECK(r.error() == eddy::errc::timed_out);
        CHECK(eddy::current_core() == 0);
        co_await opener;
    }(&landed));
    CHECK_FALSE(landed);
    CHECK(frame_counter::alive == 0);
}

TEST_CASE("a timeout of a task that is away takes effect when it comes back",
          "[runtime][cross_core][cancel]") {
    eddy::runtime rt{{.cores = 2}};
    std::atomic<bool> done_there{false}, ran_at_home{false};
    rt.block_on([](std::atomic<bool>* done_there, std::atomic<bool>* ran_at_home) -> eddy::task<> {
        auto away_then_home = [](std::atomic<bool>* done_there,
                                 std::atomic<bool>* ran_at_home) -> eddy::task<int> {
            co_await eddy::on(1);
            std::this_thread::sleep_for(50ms); // busy on core 1 past the deadline
            done_there->store(true);
            co_await eddy::on(0); // comes back to be cancelled: what follows never runs
            ran_at_home->store(true);
            co_return 1;
        };
        auto r = co_await eddy::timeout(10ms, away_then_home(done_there, ran_at_home));
        REQUIRE_FALSE(r);
        CHECK(r.error() == eddy::errc::timed_out);
        CHECK(done_there->load()); // the timeout waited for it: core 1 was never touched
    }(&done_there, &ran_at_home));
    CHECK_FALSE(ran_at_home.load());
}

TEST_CASE("aborts racing hops between two cores never lose a task or touch a freed one",
          "[runtime][cross_core][cancel]") {
    eddy::runtime rt{{.cores = 2}};
    const auto seed = std::random_device{}();
    INFO("seed " << seed);
    rt.block_on([](unsigned seed) -> eddy::task<> {
        std::mt19937 random(seed);
        auto hopper = [](int hops, frame_counter = {}) -> eddy::task<int> {
            for (int i = 0; i < hops; ++i) {
                co_await eddy::on(1);
                co_await eddy::on(0);
            }
            co_return hops;
        };
        int finished = 0, canceled = 0;
        for (int round = 0; round < 2'000; ++round) {
            auto h = eddy::spawn(hopper(static_cast<int>(random() % 4)));
            const int yields = static_cast<int>(random() % 6);
            for (int i = 0; i < yields; ++i)
                co_await eddy::yield_now();
            h.abort();
            auto r = co_await eddy::timeout(patience, join(h));
            if (r)
                ++finished;
            else if (r.error() == eddy::errc::operation_canceled)
                ++canceled;
            else
                FAIL("unexpected outcome " << r.error().message());
        }
        CHECK(finished + canceled == 2'000);
        CHECK(canceled > 0);
    }(seed));
    CHECK(frame_counter::alive == 0);
}
