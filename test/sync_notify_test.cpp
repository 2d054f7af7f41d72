// eddy::sync::notify and the stop token: permits, waking one or all, cancel safety, and
// waiters and notifiers on two cores.
#include "test_support.hpp"

#include "eddy/sync/notify.hpp"
#include "eddy/sync/stop_token.hpp"
#include "eddy/sync/until_stopped.hpp"

#include <atomic>
#include <memory>
#include <vector>

using namespace eddy_test;

namespace {

eddy::task<> wait_and_count(eddy::sync::notify n, int* woken) {
    co_await n.notified();
    ++*woken;
}

} // namespace

EDDY_TEST_CASE("notify: a permit left by notify_one is taken by the next wait, once", "[sync]") {
    eddy::sync::notify n;
    n.notify_one();
    n.notify_one(); // permits do not add up
    co_await n.notified();
    auto second = co_await eddy::timeout(10ms, n.notified());
    CHECK(second.error() == eddy::errc::timed_out);
}

EDDY_TEST_CASE("notify: notify_one wakes one waiter, notify_waiters wakes all and leaves no "
               "permit",
               "[sync]") {
    eddy::sync::notify n;
    int woken = 0;
    std::vector<std::unique_ptr<scoped<void>>> waiters;
    for (int i = 0; i < 3; ++i)
        waiters.push_back(std::make_unique<scoped<void>>(eddy::spawn(wait_and_count(n, &woken))));
    co_await eddy::yield_now();
    n.notify_one();
    co_await eddy::yield_now();
    co_await eddy::yield_now();
    CHECK(woken == 1);
    n.notify_waiters();
    for (auto& w : waiters)
        co_await joined(w->handle());
    CHECK(woken == 3);
    auto none = co_await eddy::timeout(10ms, n.notified());
    CHECK(none.error() == eddy::errc::timed_out); // notify_waiters left no permit
}

EDDY_TEST_CASE("notify: a timed-out wait does not swallow the next notification", "[sync]") {
    eddy::sync::notify n;
    int woken = 0;
    auto gone = co_await eddy::timeout(10ms, n.notified());
    CHECK(gone.error() == eddy::errc::timed_out);
    auto waiter = scoped(eddy::spawn(wait_and_count(n, &woken)));
    co_await eddy::yield_now();
    n.notify_one();
    co_await joined(waiter.handle());
    CHECK(woken == 1);
}

EDDY_TEST_CASE_WITH("notify: waiters and notifiers on two cores", "[sync][cross_core]",
                    .cores = 2) {
    eddy::sync::notify ping, pong;
    // A waiter on core 1 answers each ping made here with a pong.
    auto answer = [ping, pong]() -> eddy::task<> {
        for (int i = 0; i < 500; ++i) {
            co_await ping.notified();
            pong.notify_one();
        }
    };
    auto there = scoped(eddy::spawn(eddy::submit_to(1, std::move(answer))));
    for (int i = 0; i < 500; ++i) {
        ping.notify_one();
        auto back = co_await eddy::timeout(patience, pong.notified());
        REQUIRE(back);
    }
    co_await joined(there.handle());

    // A wait from core 1 parked here and cancelled by its timeout is withdrawn: the next
    // notification still goes to a live waiter.
    auto times_out = [ping]() -> eddy::task<bool> {
        auto r = co_await eddy::timeout(20ms, ping.notified());
        co_return !r && r.error() == eddy::errc::timed_out;
    };
    const bool timed_out_there = co_await eddy::submit_to(1, std::move(times_out));
    CHECK(timed_out_there);
    ping.notify_one();
    co_await ping.notified(); // the permit is still there
}

EDDY_TEST_CASE_WITH("stop token: a request from any core wakes waiters on every core",
                    "[sync][cross_core]", .cores = 2) {
    eddy::sync::stop_source stop;
    auto token = stop.get_token();
    CHECK(token.stop_possible());
    CHECK_FALSE(token.stop_requested());
    CHECK_FALSE(eddy::sync::stop_token{}.stop_possible());
    std::atomic<int> stopped{0};
    auto wait_there = [token, &stopped]() -> eddy::task<> {
        co_await token.stopped();
        stopped.fetch_add(1);
    };
    auto waiter_there = scoped(eddy::spawn(eddy::submit_to(1, std::move(wait_there))));
    auto wait_here = [token, &stopped]() -> eddy::task<> {
        co_await token.stopped();
        stopped.fetch_add(1);
    };
    auto waiter_here = scoped(eddy::spawn(wait_here));
    co_await eddy::sleep_for(10ms);
    CHECK(stopped.load() == 0);
    auto request = [stop]() mutable { return stop.request_stop(); };
    const bool made_it = co_await eddy::submit_to(1, std::move(request)); // from core 1
    CHECK(made_it);
    CHECK_FALSE(stop.request_stop()); // only the first one counts
    co_await joined(waiter_there.handle());
    co_await joined(waiter_here.handle());
    CHECK(stopped.load() == 2);
    CHECK(token.stop_requested());
    co_await token.stopped(); // at once, now
}

namespace {
eddy::task<int> slow_value(frame_counter = {}) {
    co_await eddy::sleep_for(patience);
    co_return 1;
}
eddy::task<eddy::result<int>> quick_result() {
    co_return 7;
}
} // namespace

EDDY_TEST_CASE_WITH("until_stopped: the work's value, or operation_canceled once a stop comes",
                    "[sync][cross_core]", .cores = 2) {
    eddy::sync::stop_source stop;
    auto quick = co_await eddy::sync::until_stopped(stop.get_token(), quick_result());
    REQUIRE(quick);
    CHECK(*quick == 7); // a result<int> comes out as it is
    auto unstoppable = co_await eddy::sync::until_stopped(eddy::sync::stop_token{}, forty_two());
    CHECK(*unstoppable == 42);

    auto request_soon = [stop]() -> eddy::task<> {
        co_await eddy::sleep_for(10ms);
        stop.request_stop();
    };
    eddy::spawn_on(1, [](auto f) -> eddy::task<> { co_await f(); }(std::move(request_soon)));
    auto slow =
        co_await eddy::timeout(patience, eddy::sync::until_stopped(stop.get_token(), slow_value()));
    REQUIRE_FALSE(slow);
    CHECK(slow.error() == eddy::errc::operation_canceled); // the stop came first

    CHECK(frame_counter::alive == 0); // the work is gone before it returns
    auto after = co_await eddy::sync::until_stopped(stop.get_token(), forty_two());
    CHECK(after.error() == eddy::errc::operation_canceled);
}
