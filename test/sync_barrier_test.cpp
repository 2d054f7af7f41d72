// eddy::sync::barrier: generations of n waiters with one leader each, reuse, cancel safety
// (a cancelled wait no longer counts), and waiters on both cores.
#include "test_support.hpp"

#include "eddy/sync/barrier.hpp"

#include <array>
#include <atomic>
#include <cstddef>
#include <memory>

using namespace eddy_test;
using eddy::sync::barrier;

namespace {

/// Waits once; true when this waiter led its generation.
eddy::task<bool> wait_once(barrier& b) {
    auto arrived = co_await b.wait();
    co_return arrived.is_leader();
}

constexpr std::size_t generations = 2'000;
constexpr std::size_t waiters = 4; // two on each core

/// What the waiters of the cross-core test share: per generation, how many arrived and how
/// many were told they lead.
struct tally {
    std::array<std::atomic<std::size_t>, generations> arrived{};
    std::array<std::atomic<std::size_t>, generations> leaders{};
    std::atomic<std::size_t> early{0}; // waits that ended before their generation was whole
};

eddy::task<> wait_generations(barrier& b, tally& t, std::size_t core) {
    co_await eddy::on(core);
    for (std::size_t g = 0; g < generations; ++g) {
        t.arrived[g].fetch_add(1);
        auto arrived = co_await b.wait();
        if (t.arrived[g].load() != waiters) t.early.fetch_add(1);
        if (arrived.is_leader()) t.leaders[g].fetch_add(1);
    }
}

} // namespace

EDDY_TEST_CASE("barrier: waiters go on together once n arrived, one of them the leader, again "
               "and again",
               "[sync]") {
    barrier b(3);
    CHECK(b.size() == 3);
    for (int generation = 0; generation < 3; ++generation) {
        auto first = scoped(eddy::spawn(wait_once(b)));
        auto second = scoped(eddy::spawn(wait_once(b)));
        co_await eddy::yield_now();
        CHECK_FALSE(first.is_finished());
        CHECK_FALSE(second.is_finished());
        auto arrived = co_await b.wait(); // the third: the last to arrive leads
        CHECK(arrived.is_leader());
        auto first_led = co_await joined(first.handle());
        auto second_led = co_await joined(second.handle());
        CHECK_FALSE(first_led);
        CHECK_FALSE(second_led);
    }
}

EDDY_TEST_CASE("barrier: with one waiter (or zero, taken as one) every wait leads at once",
               "[sync]") {
    barrier one(1);
    barrier zero(0);
    auto a = co_await one.wait();
    auto b = co_await one.wait();
    auto c = co_await zero.wait();
    CHECK(a.is_leader());
    CHECK(b.is_leader());
    CHECK(c.is_leader());
    CHECK(zero.size() == 1);
}

EDDY_TEST_CASE("barrier: a timed-out wait no longer counts as arrived", "[sync]") {
    barrier b(2);
    auto gave_up = co_await eddy::timeout(10ms, b.wait());
    CHECK(gave_up.error() == eddy::errc::timed_out);
    auto alone = scoped(eddy::spawn(wait_once(b)));
    co_await eddy::sleep_for(10ms);
    CHECK_FALSE(alone.is_finished()); // the withdrawn wait did not make it a pair
    auto arrived = co_await b.wait();
    CHECK(arrived.is_leader());
    auto alone_led = co_await joined(alone.handle());
    CHECK_FALSE(alone_led);
}

EDDY_TEST_CASE_WITH("barrier: 2,000 generations of waiters on both cores, one leader each",
                    "[sync][cross_core]", .cores = 2) {
    barrier b(waiters);
    auto t = std::make_unique<tally>();
    auto w0 = scoped(eddy::spawn(wait_generations(b, *t, 0)));
    auto w1 = scoped(eddy::spawn(wait_generations(b, *t, 1)));
    auto w2 = scoped(eddy::spawn(wait_generations(b, *t, 0)));
    auto w3 = scoped(eddy::spawn(wait_generations(b, *t, 1)));
    co_await joined(w0.handle(), 60s);
    co_await joined(w1.handle(), 60s);
    co_await joined(w2.handle(), 60s);
    co_await joined(w3.handle(), 60s);
    CHECK(t->early.load() == 0);
    std::size_t single_leader = 0;
    for (std::size_t g = 0; g < generations; ++g)
        if (t->leaders[g].load() == 1) ++single_leader;
    CHECK(single_leader == generations);
}

EDDY_TEST_CASE_WITH("barrier: a wait on another core withdrawn by a timeout no longer counts; "
                    "one parked there is released",
                    "[sync][cross_core]", .cores = 2) {
    barrier b(2);
    auto times_out = [&b]() -> eddy::task<bool> {
        auto got = co_await eddy::timeout(20ms, b.wait());
        co_return !got && got.error() == eddy::errc::timed_out;
    };
    auto timed_out = co_await eddy::submit_to(1, times_out);
    CHECK(timed_out);
    auto alone = scoped(eddy::spawn(wait_once(b)));
    co_await eddy::sleep_for(10ms);
    CHECK_FALSE(alone.is_finished());
    auto arrived = co_await b.wait(); // pairs with `alone`, not with the withdrawn one
    CHECK(arrived.is_leader());
    co_await joined(alone.handle());

    auto waits = [&b]() -> eddy::task<bool> { return wait_once(b); };
    auto far = scoped(eddy::spawn(eddy::submit_to(1, waits)));
    co_await eddy::sleep_for(20ms); // let it park at home (the checks hold either way)
    auto second = co_await b.wait();
    auto far_led = co_await joined(far.handle());
    CHECK(second.is_leader() != far_led); // exactly one of the two leads
}
