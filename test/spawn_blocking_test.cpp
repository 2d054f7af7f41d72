#include "test_case.hpp"

#include "eddy/runtime/detail/blocking_pool.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/spawn_blocking.hpp"
#include "eddy/runtime/task.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace std::chrono_literals;

TEST_CASE("spawn_blocking runs a function off the core's thread and gives its value",
          "[runtime][blocking]") {
    eddy::runtime rt;
    struct outcome {
        std::string value;
        std::thread::id core_thread, pool_thread, after_thread;
        bool void_ran;
    };
    auto o = rt.block_on([]() -> eddy::task<outcome> {
        outcome o{};
        o.core_thread = std::this_thread::get_id();
        o.value = co_await eddy::spawn_blocking([] { return std::string("from the pool"); });
        o.pool_thread = co_await eddy::spawn_blocking([] { return std::this_thread::get_id(); });
        o.after_thread = std::this_thread::get_id();
        std::atomic<bool> ran{false};
        co_await eddy::spawn_blocking([&ran] { ran = true; });
        o.void_ran = ran;
        co_return o;
    }());
    CHECK(o.value == "from the pool");
    CHECK(o.core_thread == std::this_thread::get_id());
    CHECK(o.pool_thread != o.core_thread);
    CHECK(o.after_thread == o.core_thread);
    CHECK(o.void_ran);
}

TEST_CASE("spawn_blocking rethrows the function's exception to the awaiter",
          "[runtime][blocking]") {
    eddy::runtime rt;
    auto what = rt.block_on([]() -> eddy::task<std::string> {
        try {
            co_await eddy::spawn_blocking([]() -> int { throw std::runtime_error("blocking"); });
        } catch (const std::runtime_error& e) {
            co_return e.what();
        }
        co_return "no exception";
    }());
    CHECK(what == "blocking");
}

namespace {

eddy::task<long> sum_of_blocking_squares(int n) {
    std::vector<eddy::join_handle<long>> handles;
    for (int i = 0; i < n; ++i) {
        handles.push_back(eddy::spawn([](long i) -> eddy::task<long> {
            co_return co_await eddy::spawn_blocking([i] {
                std::this_thread::sleep_for(1ms);
                return i * i;
            });
        }(i)));
    }
    long sum = 0;
    for (auto& h : handles)
        sum += (co_await h).value();
    co_return sum;
}

} // namespace

TEST_CASE("two hundred concurrent spawn_blocking calls all complete", "[runtime][blocking]") {
    constexpr int n = 200;
    constexpr long expected = long{n - 1} * n * (2 * n - 1) / 6;
    SECTION("with the default pool") {
        eddy::runtime rt;
        CHECK(rt.block_on(sum_of_blocking_squares(n)) == expected);
    }
    SECTION("with a pool of four threads, so most calls queue") {
        eddy::runtime rt{{.blocking_threads = 4}};
        CHECK(rt.block_on(sum_of_blocking_squares(n)) == expected);
    }
}

namespace {

using eddy::detail::pool_idle_step;

// A script for the one thread of a pool under test: when it times out idle, a job is
// submitted at once (it sees the job when it re-checks), and when it is about to rejoin it
// waits until the test has destroyed the pool. The thread is the one that ran `first_job`.
struct idle_exit_script {
    eddy::detail::blocking_pool* pool = nullptr;
    eddy::detail::blocking_job* late_job = nullptr;

    std::mutex mutex;
    std::condition_variable changed;
    bool submitted = false;
    bool rejoining = false;
    bool destroyed = false;
    bool rejoined_after_destruction = false;
    bool thread_exited = false;

    template <class Pred> bool wait_until(Pred pred) {
        std::unique_lock lock(mutex);
        return changed.wait_for(lock, 10s, pred);
    }
    void set(bool idle_exit_script::*flag) {
        std::lock_guard lock(mutex);
        this->*flag = true;
        changed.notify_all();
    }
};

idle_exit_script script;

// Marks the pool thread that runs it; its destructor tells the script the thread has ended.
struct pool_thread_mark {
    bool marked = false;
    ~pool_thread_mark() {
        if (marked) script.set(&idle_exit_script::thread_exited);
    }
};
thread_local pool_thread_mark this_thread_mark;

void on_idle_step(pool_idle_step step) {
    if (!this_thread_mark.marked) return; // another pool's thread
    switch (step) {
    case pool_idle_step::timed_out:
        if (!std::exchange(script.submitted, true)) script.pool->submit(*script.late_job);
        break;
    case pool_idle_step::rejoining:
        script.set(&idle_exit_script::rejoining);
        script.wait_until([] { return script.destroyed; });
        break;
    case pool_idle_step::rejoined: {
        std::lock_guard lock(script.mutex);
        if (script.destroyed) script.rejoined_after_destruction = true;
        break;
    }
    }
}

class marking_job final : public eddy::detail::blocking_job {
  public:
    marking_job(eddy::detail::scheduler& origin, bool mark) : blocking_job(origin), mark_(mark) {}
    void run() noexcept override {
        if (mark_) this_thread_mark.marked = true;
        ran = true;
    }
    void completed(bool) noexcept override {}
    std::atomic<bool> ran{false};

  private:
    bool mark_;
};

} // namespace

EDDY_TEST_CASE("a pool destroyed while an idle thread re-checks for work leaves that thread no "
               "way back to its jobs",
               "[runtime][blocking]") {
    auto& origin = eddy::detail::current_scheduler();
    auto pool = std::make_unique<eddy::detail::blocking_pool>(1, 1ms);
    auto* first_job = new marking_job(origin, true);
    auto* late_job = new marking_job(origin, false);
    script.pool = pool.get();
    script.late_job = late_job;
    eddy::detail::pool_idle_hook.store(&on_idle_step);

    pool->submit(*first_job); // starts the pool's one thread, which then idles 1 ms
    const bool rejoining = script.wait_until([] { return script.rejoining; });
    pool.reset();
    script.set(&idle_exit_script::destroyed);
    const bool exited = script.wait_until([] { return script.thread_exited; });
    eddy::detail::pool_idle_hook.store(nullptr);

    REQUIRE(rejoining); // the thread timed out, found the late job and went to rejoin
    REQUIRE(exited);
    CHECK(first_job->ran);
    CHECK_FALSE(late_job->ran); // drained by the destructor, posted back as not run
    CHECK_FALSE(script.rejoined_after_destruction);
    first_job->release();
    late_job->release();
    co_return;
}
