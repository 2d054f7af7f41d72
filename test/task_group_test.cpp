// task_group (Tokio's JoinSet): completion order, aborts, destruction, next() under a
// timeout, join_all, exceptions, members on another core; and a join_handle under a timeout.
#include "captured_log.hpp"
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

/// The first byte that arrives on `s`; sets `*done` (if given) once it has it.
eddy::task<int> first_byte(unix_stream* s, bool* done = nullptr, frame_counter = {}) {
    std::array<std::byte, 1> b{};
    expect(co_await s->read(b), "read");
    if (done) *done = true;
    co_return static_cast<int>(b[0]);
}

eddy::task<int> throws_after_yield(frame_counter = {}) {
    co_await eddy::yield_now();
    throw std::runtime_error("member threw");
}

eddy::task<int> ends_on_core_one(int v, frame_counter = {}) {
    co_await eddy::on(1);
    co_return v;
}

eddy::task<int> sleeps_on_core_one(eddy::clock::duration d, frame_counter = {}) {
    co_await eddy::on(1);
    co_await eddy::sleep_for(d);
    co_return 1;
}

/// The value of `next()`'s outcome; -1 for an empty group, -2 for an error.
template <class T> int value_of(const std::optional<eddy::result<T>>& done) {
    if (!done) return -1;
    return *done ? **done : -2;
}

} // namespace

EDDY_TEST_CASE("task_group gives its tasks in the order they finish", "[task][task_group]") {
    eddy::task_group<int> group;
    CHECK(group.empty());
    group.spawn(after_yields(3, 30));
    group.spawn(after_yields(1, 10));
    group.spawn(after_yields(2, 20));
    CHECK(group.size() == 3);
    std::vector<int> order;
    for (int i = 0; i < 3; ++i) {
        auto done = co_await eddy::timeout(patience, group.next());
        REQUIRE(done);
        order.push_back(value_of(*done));
        CHECK(group.size() == static_cast<std::size_t>(2 - i));
    }
    CHECK(order == std::vector<int>{10, 20, 30});
    auto none = co_await group.next(); // empty: nullopt at once
    CHECK_FALSE(none.has_value());
    CHECK(group.empty());
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("task_group::join_all gives every outcome, an aborted task as canceled",
               "[task][task_group]") {
    eddy::task_group<int> group;
    group.spawn(after_yields(2, 2));
    group.spawn(value_after(forever, 0));
    group.spawn(after_yields(1, 1));
    co_await eddy::yield_now(); // all three have started
    group.abort_all();          // each is stopped where it waits
    auto all = co_await eddy::timeout(patience, group.join_all());
    REQUIRE(all);
    REQUIRE(all->size() == 3);
    for (const auto& r : *all) {
        REQUIRE_FALSE(r);
        CHECK(r.error() == eddy::errc::operation_canceled);
    }
    CHECK(group.empty());
    CHECK(frame_counter::alive == 0);

    group.spawn(after_yields(2, 5));
    group.spawn(after_yields(1, 4));
    auto values = expect(co_await eddy::timeout(patience, group.join_all()), "join_all");
    REQUIRE(values.size() == 2);
    REQUIRE(values[0]);
    REQUIRE(values[1]);
    CHECK(*values[0] == 4);
    CHECK(*values[1] == 5);
}

EDDY_TEST_CASE("destroying a task_group aborts the tasks left in it", "[task][task_group]") {
    {
        eddy::task_group<int> group;
        for (int i = 0; i < 3; ++i)
            group.spawn(value_after(forever, i));
        co_await eddy::yield_now(); // they wait on their sleeps
        REQUIRE(frame_counter::alive == 3);
    }
    CHECK(frame_counter::alive == 0);
    bool ran = false;
    {
        eddy::task_group<> unstarted;
        unstarted.spawn(set_flag(&ran));
        CHECK(frame_counter::alive == 1);
    }
    CHECK_FALSE(ran);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("destroying a task_group drops, unlogged, an exception it never gave out",
               "[task][task_group]") {
    std::ostringstream logged;
    eddy_test::captured_log capture(logged);
    bool ran = false;
    {
        eddy::task_group<> group;
        group.spawn([](bool* ran) -> eddy::task<> {
            *ran = true;
            throw std::runtime_error("dropped with the group");
            co_return;
        }(&ran));
        for (int i = 0; i < 3 && !ran; ++i)
            co_await eddy::yield_now();
        REQUIRE(ran);
    }
    CHECK(logged.str().empty());
}

EDDY_TEST_CASE("a task_group's next() under a timeout loses no finished task",
               "[task][task_group][cancel]") {
    auto [a_near, a_far] = expect(unix_stream::pair(), "pair");
    auto [b_near, b_far] = expect(unix_stream::pair(), "pair");
    eddy::task_group<int> group;
    bool a_done = false;
    group.spawn(first_byte(&a_near, &a_done));
    group.spawn(first_byte(&b_near));
    auto early = co_await eddy::timeout(5ms, group.next());
    REQUIRE_FALSE(early);
    CHECK(early.error() == eddy::errc::timed_out);
    CHECK(group.size() == 2);

    co_await write_text(b_far, "b");
    auto b = co_await eddy::timeout(patience, group.next());
    REQUIRE(b);
    CHECK(value_of(*b) == 'b');

    // The other one finishes while no next() waits: it is kept for the next one.
    co_await write_text(a_far, "a");
    const bool a_finished = co_await eventually([&] { return a_done; });
    REQUIRE(a_finished);
    auto a = co_await eddy::timeout(5ms, group.next()); // ready at once: no time-out
    REQUIRE(a);
    CHECK(value_of(*a) == 'a');
    CHECK(group.empty());
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("an exception from a task comes out of next()", "[task][task_group]") {
    eddy::task_group<int> group;
    group.spawn(throws_after_yield());
    std::string what;
    try {
        co_await group.next();
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
    CHECK(what == "member threw");
    CHECK(group.empty());
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE_WITH("task_group takes tasks that end on another core, and aborts those away",
                    "[task][task_group][cross_core]", .cores = 2) {
    {
        eddy::task_group<int> group;
        group.spawn(ends_on_core_one(5));
        auto done = co_await eddy::timeout(patience, group.next());
        REQUIRE(done);
        CHECK(value_of(*done) == 5);
        CHECK(eddy::current_core() == 0);
    }
    {
        eddy::task_group<int> group;
        group.spawn(sleeps_on_core_one(20ms));
        co_await eddy::sleep_for(5ms); // it has left for core 1
    }                                  // aborted: it ends when it comes back
    const bool all_freed = co_await eventually([] { return frame_counter::alive == 0; });
    CHECK(all_freed);
}

EDDY_TEST_CASE("a join_handle under a timeout times out, then still gives the value",
               "[task][join_handle][cancel]") {
    auto [near, far] = expect(unix_stream::pair(), "pair");
    auto handle = eddy::spawn(first_byte(&near));
    auto early = co_await eddy::timeout(10ms, handle);
    REQUIRE_FALSE(early);
    CHECK(early.error() == eddy::errc::timed_out);
    CHECK_FALSE(handle.is_finished()); // the task runs on

    co_await write_text(far, "x");
    auto value = co_await eddy::timeout(patience, handle);
    REQUIRE(value);
    CHECK(*value == 'x');
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("a task may abort its own group: it is aborted at its next wait, not while it runs",
               "[task][task_group]") {
    {
        eddy::task_group<int> group;
        group.spawn(value_after(forever, 1));
        auto aborts_group = [&group](frame_counter = {}) -> eddy::task<int> {
            co_await eddy::yield_now();
            group.abort_all(); // aborts this task too, which is running now
            co_await eddy::yield_now();
            co_return 2;
        };
        group.spawn(aborts_group());
        int canceled = 0;
        while (auto next = co_await eddy::timeout(patience, group.next())) {
            REQUIRE(next);
            if (!*next) break;
            if (!**next && (**next).error() == eddy::errc::operation_canceled) ++canceled;
        }
        CHECK(canceled == 2);
    }
    CHECK(frame_counter::alive == 0);
}
