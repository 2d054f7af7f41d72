// when_all, try_when_all and when_any: values and their order, exceptions and errors, losers
// cancelled and awaited (on sleeps, on socket reads, with a result already queued, on another
// core), cancellation from outside (timeout, abort), and no frame left behind.
#include "test_support.hpp"

#include "eddy/sync/mpsc.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

eddy::task<> yields_then_sets(int n, bool* flag, frame_counter = {}) {
    for (int i = 0; i < n; ++i)
        co_await eddy::yield_now();
    *flag = true;
}

eddy::task<int> throws_after_yields(int n, std::string what, frame_counter = {}) {
    for (int i = 0; i < n; ++i)
        co_await eddy::yield_now();
    throw std::runtime_error(what);
}

eddy::task<eddy::result<int>> ok_after_yields(int n, int v, frame_counter = {}) {
    co_return co_await after_yields(n, v);
}

eddy::task<eddy::result<int>> fails_after_yields(int n, eddy::errc e, frame_counter = {}) {
    co_await after_yields(n, 0);
    co_return e;
}

eddy::task<eddy::result<void>> done_after_yields(int n, frame_counter = {}) {
    co_await after_yields(n, 0);
    co_return eddy::ok();
}

/// Waits for one byte on `s`; sets `*got` once it has it.
eddy::task<int> read_one(unix_stream* s, bool* got, frame_counter = {}) {
    std::array<std::byte, 1> b{};
    auto n = co_await s->read(b);
    *got = n && *n == 1;
    co_return static_cast<int>(b[0]);
}

eddy::task<> write_to_both(unix_stream* a, unix_stream* b) {
    co_await write_text(*a, "a");
    co_await write_text(*b, "b");
}

/// Moves to core 1, sleeps there (on core 1's timers), and ends there with `v`.
eddy::task<eddy::result<int>> ends_on_core_one(eddy::clock::duration d, int v, frame_counter = {}) {
    co_await eddy::on(1);
    co_await eddy::sleep_for(d);
    co_return v;
}

eddy::task<int> value_on_core_one(int v, frame_counter = {}) {
    co_await eddy::on(1);
    co_return v;
}

/// What `t` threw (a runtime_error's message), or "" if it returned.
template <class T> eddy::task<std::string> thrown_by(eddy::task<T> t) {
    try {
        co_await std::move(t);
    } catch (const std::runtime_error& e) {
        co_return e.what();
    }
    co_return "";
}

} // namespace

EDDY_TEST_CASE("when_all gives every child's value in argument order", "[task][when_all]") {
    bool ran = false;
    // They finish in the order 2, 3, 1.
    auto [a, b, c, d] = co_await eddy::when_all(after_yields(3, 1), after_yields(1, 2),
                                                after_yields(2, 3), yields_then_sets(1, &ran));
    CHECK(a == 1);
    CHECK(b == 2);
    CHECK(c == 3);
    CHECK(d == std::monostate{});
    CHECK(ran);

    std::vector<eddy::task<int>> tasks;
    for (int i = 0; i < 5; ++i)
        tasks.push_back(after_yields(5 - i, i));
    auto values = co_await eddy::when_all(std::move(tasks));
    CHECK(values == std::vector<int>{0, 1, 2, 3, 4});

    auto none = co_await eddy::when_all(std::vector<eddy::task<int>>{});
    CHECK(none.empty());
    auto empty_tuple = co_await eddy::when_all();
    CHECK(std::tuple_size_v<decltype(empty_tuple)> == 0);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("when_all rethrows a child's exception after cancelling the others",
               "[task][when_all]") {
    bool slow_finished = false;
    auto what =
        co_await thrown_by(eddy::when_all(value_after(forever, 1, &slow_finished),
                                          throws_after_yields(2, "boom"), after_yields(10, 3)));
    CHECK(what == "boom");
    CHECK_FALSE(slow_finished);
    CHECK(frame_counter::alive == 0);

    // A child that throws at once: the children after it never start.
    bool later_ran = false;
    std::vector<eddy::task<int>> tasks;
    tasks.push_back(value_after(forever, 1));
    tasks.push_back(throws_after_yields(0, "at once"));
    tasks.push_back([](bool* ran) -> eddy::task<int> {
        *ran = true;
        co_return 3;
    }(&later_ran));
    what = co_await thrown_by(eddy::when_all(std::move(tasks)));
    CHECK(what == "at once");
    CHECK_FALSE(later_ran);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("try_when_all gives the values, or the first error and cancels the others",
               "[task][when_all]") {
    auto both = co_await eddy::try_when_all(ok_after_yields(2, 1), done_after_yields(1));
    REQUIRE(both);
    CHECK(std::get<0>(*both) == 1);
    CHECK(std::get<1>(*both) == std::monostate{});

    bool slow_finished = false;
    auto slow = [](bool* finished) -> eddy::task<eddy::result<int>> {
        co_return co_await value_after(forever, 1, finished);
    };
    auto failed = co_await eddy::try_when_all(slow(&slow_finished),
                                              fails_after_yields(2, eddy::errc::timed_out),
                                              fails_after_yields(5, eddy::errc::too_large));
    REQUIRE_FALSE(failed);
    CHECK(failed.error() == eddy::errc::timed_out);
    CHECK_FALSE(slow_finished);
    CHECK(frame_counter::alive == 0);

    std::vector<eddy::task<eddy::result<int>>> tasks;
    tasks.push_back(ok_after_yields(3, 7));
    tasks.push_back(fails_after_yields(1, eddy::errc::too_large));
    auto from_vector = co_await eddy::try_when_all(std::move(tasks));
    REQUIRE_FALSE(from_vector);
    CHECK(from_vector.error() == eddy::errc::too_large);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE_WITH("try_when_all takes children that end on another core",
                    "[task][when_all][cross_core]", .cores = 2) {
    auto both = co_await eddy::try_when_all(ends_on_core_one(1ms, 1), ok_after_yields(1, 2));
    REQUIRE(both);
    CHECK(std::get<0>(*both) == 1);
    CHECK(std::get<1>(*both) == 2);
    CHECK(eddy::current_core() == 0);

    // The error at home cancels the child on core 1, which is waited for.
    auto failed = co_await eddy::try_when_all(ends_on_core_one(20ms, 1),
                                              fails_after_yields(1, eddy::errc::too_large));
    REQUIRE_FALSE(failed);
    CHECK(failed.error() == eddy::errc::too_large);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("when_any gives the first to finish and cancels the losers on sleeps",
               "[task][when_any]") {
    bool a_finished = false, c_finished = false;
    auto first = co_await eddy::when_any(value_after(forever, 1, &a_finished), after_yields(2, 2),
                                         value_after(forever, 3, &c_finished));
    REQUIRE(first.index() == 1);
    CHECK(std::get<1>(first) == 2);
    CHECK_FALSE(a_finished);
    CHECK_FALSE(c_finished);
    CHECK(frame_counter::alive == 0);

    std::vector<eddy::task<int>> tasks;
    tasks.push_back(value_after(forever, 10));
    tasks.push_back(after_yields(3, 11));
    tasks.push_back(after_yields(1, 12));
    auto [index, value] = co_await eddy::when_any(std::move(tasks));
    CHECK(index == 2);
    CHECK(value == 12);
    CHECK(frame_counter::alive == 0);

    bool empty_threw = false;
    try {
        co_await eddy::when_any(std::vector<eddy::task<int>>{});
    } catch (const std::invalid_argument&) {
        empty_threw = true;
    }
    CHECK(empty_threw);
}

EDDY_TEST_CASE("when_any rethrows the winner's exception", "[task][when_any]") {
    auto what = co_await thrown_by(
        eddy::when_any(value_after(forever, 1), throws_after_yields(1, "winner threw")));
    CHECK(what == "winner threw");
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("when_any cancels a loser that waits on a socket read", "[task][when_any][net]") {
    auto [client, server] = co_await connected_pair();
    auto reader = [](eddy::net::tcp_stream* s, frame_counter = {}) -> eddy::task<int> {
        std::array<std::byte, 4> buf{};
        auto n = co_await s->read(buf);
        co_return n ? static_cast<int>(*n) : -1;
    };
    auto first = co_await eddy::when_any(reader(&server), after_yields(2, 5));
    REQUIRE(first.index() == 1);
    CHECK(std::get<1>(first) == 5);
    CHECK(frame_counter::alive == 0);
    // The cancelled read left nothing parked on the socket: a new read gets the bytes.
    const auto got = co_await pass_text(client, server, "ping");
    CHECK(got == "ping");
}

EDDY_TEST_CASE("a loser whose result is already queued is awaited and its frame freed",
               "[task][when_any][net]") {
    auto a = expect(unix_stream::pair(), "pair");
    auto b = expect(unix_stream::pair(), "pair");
    bool got_a = false, got_b = false;
    // Both reads park; the writer fills both sockets in one turn, so the reactor wakes both
    // readers in one poll and they run in the same turn: the second is the loser, and its
    // read has already completed when the winner ends.
    auto writer = scoped(eddy::spawn(write_to_both(&a.second, &b.second)));
    auto first = co_await eddy::when_any(read_one(&a.first, &got_a), read_one(&b.first, &got_b));
    CHECK((first.index() == 0 ? std::get<0>(first) : std::get<1>(first)) ==
          (first.index() == 0 ? 'a' : 'b'));
    CHECK(got_a);
    CHECK(got_b); // the loser ran to its end before when_any returned
    CHECK(frame_counter::alive == 0);
    co_await joined(writer.handle());
}

EDDY_TEST_CASE("a timeout around when_all or when_any cancels every child",
               "[task][when_all][when_any][cancel]") {
    bool finished = false;
    auto all = co_await eddy::timeout(
        10ms, eddy::when_all(value_after(forever, 1, &finished), value_after(forever, 2)));
    REQUIRE_FALSE(all);
    CHECK(all.error() == eddy::errc::timed_out);
    CHECK(frame_counter::alive == 0);

    auto any = co_await eddy::timeout(
        10ms, eddy::when_any(value_after(forever, 1, &finished), value_after(forever, 2)));
    REQUIRE_FALSE(any);
    CHECK(any.error() == eddy::errc::timed_out);
    CHECK_FALSE(finished);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("aborting the task that awaits when_any cancels its children",
               "[task][when_any][cancel]") {
    auto parent = [](frame_counter = {}) -> eddy::task<int> {
        // Made before the co_await, so that the counters' default arguments are gone by then.
        auto a = value_after(forever, 1);
        auto b = value_after(forever, 2);
        auto first = co_await eddy::when_any(std::move(a), std::move(b));
        co_return first.index() == 0 ? std::get<0>(first) : std::get<1>(first);
    };
    auto h = eddy::spawn(parent());
    co_await eddy::yield_now(); // it runs, and its children wait on their sleeps
    REQUIRE(frame_counter::alive == 3);
    h.abort();
    auto r = co_await eddy::timeout(patience, join(h));
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::operation_canceled);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE_WITH("when_any waits for a loser on another core, and takes a winner from there",
                    "[task][when_any][cross_core]", .cores = 2) {
    auto first = co_await eddy::when_any(ends_on_core_one(20ms, 1), ok_after_yields(1, 2));
    REQUIRE(first.index() == 1);
    CHECK(*std::get<1>(first) == 2);
    CHECK(frame_counter::alive == 0); // the loser came back and was freed before the return

    auto away_wins = co_await eddy::when_any(value_on_core_one(7), value_after(forever, 8));
    REQUIRE(away_wins.index() == 0);
    CHECK(std::get<0>(away_wins) == 7);
    CHECK(eddy::current_core() == 0);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE_WITH("a timeout around try_when_all with a child on another core",
                    "[task][when_all][cross_core][cancel]", .cores = 2) {
    auto slow_home = [](frame_counter = {}) -> eddy::task<eddy::result<int>> {
        co_return co_await value_after(forever, 2);
    };
    auto r =
        co_await eddy::timeout(10ms, eddy::try_when_all(ends_on_core_one(100ms, 1), slow_home()));
    REQUIRE_FALSE(r);
    CHECK(r.error() == eddy::errc::timed_out);
    CHECK(frame_counter::alive == 0);
}

EDDY_TEST_CASE("a timeout that comes just as a when_any child's result arrives keeps the result",
               "[task][when_any]") {
    auto [tx, rx] = eddy::sync::mpsc::unbounded_channel<int>();
    // Holds the core past the timeout, then sends: the receiving child is woken (its
    // result is there) in the turn before the timeout fires.
    auto late_send = [tx = std::move(tx)]() mutable -> eddy::task<> {
        co_await eddy::yield_now();
        std::this_thread::sleep_for(30ms);
        (void)tx.send(7);
    };
    auto sender = scoped(eddy::spawn(std::move(late_send)));
    auto* queue = &rx; // (clang 14 cannot capture a structured binding)
    auto recv_one = [queue]() -> eddy::task<int> {
        auto v = co_await queue->recv();
        co_return v ? *v : -1;
    };
    auto first = co_await eddy::timeout(10ms, eddy::when_any(recv_one(), value_after(forever, 0)));
    if (first) {
        CHECK(first->index() == 0);
        CHECK(std::get<0>(*first) == 7);
    } else {
        auto still_there = rx.try_recv(); // timed out before it was taken: nothing lost
        REQUIRE(still_there);
        CHECK(*still_there == 7);
    }
}
