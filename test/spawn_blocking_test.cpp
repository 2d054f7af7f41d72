#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/spawn_blocking.hpp"
#include "eddy/runtime/task.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
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
