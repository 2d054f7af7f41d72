#include "test_support.hpp"

#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/task.hpp"

#include <catch2/catch_test_macros.hpp>

#include <stdexcept>

using namespace eddy_test;

namespace {

eddy::task<int> add_one(eddy::task<int> inner) {
    co_return co_await std::move(inner) + 1;
}

eddy::task<int> immediate(int i) {
    co_return i;
}

eddy::task<long> long_chain(int n) {
    long sum = 0;
    for (int i = 0; i < n; ++i)
        sum += co_await immediate(1);
    co_return sum;
}

// A local of each frame counts it from the body's start until the frame is destroyed.
eddy::task<int> counted(int v) {
    frame_counter c;
    co_return v;
}

eddy::task<int> counted_parent() {
    frame_counter c;
    int a = co_await counted(1);
    int b = co_await counted(2);
    co_return a + b;
}

} // namespace

TEST_CASE("a task gives its value to the awaiter", "[task]") {
    eddy::runtime rt;
    CHECK(rt.block_on(forty_two()) == 42);
    CHECK(rt.block_on(add_one(add_one(forty_two()))) == 44);
}

TEST_CASE("a task's exception propagates to the awaiter", "[task]") {
    eddy::runtime rt;
    CHECK_THROWS_AS(rt.block_on(throw_runtime_error("boom")), std::runtime_error);
    auto catcher = []() -> eddy::task<bool> {
        try {
            co_await throw_runtime_error("boom");
        } catch (const std::runtime_error& e) {
            co_return std::string(e.what()) == "boom";
        }
        co_return false;
    };
    CHECK(rt.block_on(catcher()));
}

TEST_CASE("a million tasks that complete at once do not overflow the stack", "[task]") {
    eddy::runtime rt;
    CHECK(rt.block_on(long_chain(1'000'000)) == 1'000'000);
}

TEST_CASE("a task is lazy and frees its frame", "[task]") {
    eddy::runtime rt;
    {
        auto t = counted(5);
        CHECK(frame_counter::alive == 0); // not started: the body has not run
    }
    CHECK(frame_counter::alive == 0);
    CHECK(rt.block_on(counted_parent()) == 3);
    CHECK(frame_counter::alive == 0);
}
