// Orders of events across cores that eddy::sync must survive, each forced by holding a core's
// loop still (a blocking sleep or spin inside a task on core 0) while the other core acts, so
// that messages wait in core 0's inbox in a chosen order. They found real faults: reading a
// freed awaiter, an end of stream that overtook a value, a notification lost to an abort, a
// canceller spinning while it waited for another core's answer.
#include "test_support.hpp"

#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/notify.hpp"
#include "eddy/task/when_any.hpp"

#include <atomic>
#include <chrono>
#include <ctime>
#include <thread>

using namespace eddy_test;
namespace mpsc = eddy::sync::mpsc;

namespace {

template <class F> eddy::task<> run_plain(F f) {
    f();
    co_return;
}

/// Blocks the calling core's thread (not just the task) until `flag` is set, for a test that
/// needs the core's loop held still; fails the test after the patience.
void hold_core_until(const std::atomic<bool>& flag) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    while (!flag.load()) {
        if (std::chrono::steady_clock::now() > give_up) FAIL("the other core never acted");
        std::this_thread::yield();
    }
}

double process_cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

} // namespace

EDDY_TEST_CASE_WITH("sync: a remote wait that times out just as home completes it resumes with "
                    "its result, and nothing touches it once it is gone",
                    "[sync][cross_core]", .cores = 2) {
    eddy::sync::notify n;
    auto waits = [n]() -> eddy::task<bool> {
        auto r = co_await eddy::timeout(20ms, n.notified());
        co_return static_cast<bool>(r);
    };
    auto waiter = scoped(eddy::spawn(eddy::submit_to(1, std::move(waits))));
    co_await eddy::sleep_for(5ms); // the wait parks here (the test holds either way)
    // Core 0 stands still past the timeout: core 1's withdraw waits in our inbox while we
    // complete the wait it is about.
    std::this_thread::sleep_for(60ms);
    n.notify_one();
    const bool notified = co_await joined(waiter.handle());
    CHECK(notified);               // the completion came first: it stands
    co_await eddy::sleep_for(5ms); // ASan: no message of the freed awaiter is read afterwards
}

EDDY_TEST_CASE_WITH("mpsc: the end of stream never overtakes a value another core sent "
                    "before its sender went",
                    "[sync][cross_core]", .cores = 2) {
    for (int round = 0; round < 20; ++round) {
        auto [tx, rx] = mpsc::unbounded_channel<int>();
        std::atomic<bool> sent{false};
        auto send_and_go = [tx1 = tx, &sent]() mutable {
            (void)tx1.send(7);
            { auto gone = std::move(tx1); }
            sent = true;
        };
        eddy::spawn_on(1, run_plain(std::move(send_and_go)));
        hold_core_until(sent); // the value waits in our inbox
        { auto last = std::move(tx); }
        auto v = co_await eddy::timeout(patience, rx.recv());
        REQUIRE(v);
        REQUIRE(*v);
        CHECK(**v == 7);
        auto end = co_await eddy::timeout(patience, rx.recv());
        REQUIRE(end);
        CHECK_FALSE(*end);
    }
}

EDDY_TEST_CASE_WITH("mpsc: a closed receiver still gets what was sent before, then the end",
                    "[sync][cross_core]", .cores = 2) {
    {
        auto [tx, rx] = mpsc::channel<int>(4);
        rx.close();
        auto end = co_await eddy::timeout(patience, rx.recv()); // senders live on
        REQUIRE(end);
        CHECK_FALSE(*end);
    }
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    std::atomic<bool> sent{false};
    auto send_one = [tx1 = tx, &sent]() mutable {
        CHECK(tx1.send(7));
        sent = true;
    };
    eddy::spawn_on(1, run_plain(std::move(send_one)));
    hold_core_until(sent); // 7 is in flight in our inbox
    rx.close();
    auto v = co_await eddy::timeout(patience, rx.recv());
    REQUIRE(v);
    REQUIRE(*v);
    CHECK(**v == 7);
    auto end = co_await eddy::timeout(patience, rx.recv());
    REQUIRE(end);
    CHECK_FALSE(*end);
    auto refused = tx.send(8);
    CHECK(refused.error() == eddy::errc::channel_closed);
}

EDDY_TEST_CASE("mpsc: the last sender dropped on a blocking thread ends the stream at home",
               "[sync]") {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    CHECK(tx.send(1));
    auto drop_elsewhere = [tx = std::move(tx)]() mutable { auto last = std::move(tx); };
    co_await eddy::spawn_blocking(std::move(drop_elsewhere));
    auto one = co_await eddy::timeout(patience, rx.recv());
    REQUIRE(one);
    CHECK(**one == 1);
    auto end = co_await eddy::timeout(patience, rx.recv());
    REQUIRE(end);
    CHECK_FALSE(*end);
}

EDDY_TEST_CASE("notify: a waiter aborted after it was notified passes the notification on",
               "[sync]") {
    eddy::sync::notify n;
    auto aborted = eddy::spawn([n]() -> eddy::task<> { co_await n.notified(); });
    co_await eddy::yield_now(); // it waits
    n.notify_one();             // it is woken, but has not run
    aborted.abort();
    auto next = co_await eddy::timeout(patience, n.notified());
    CHECK(next); // the notification was not lost with it
}

EDDY_TEST_CASE_WITH("sync: a remote wait being withdrawn does not spin its core while home is "
                    "busy",
                    "[sync][cross_core]", .cores = 2) {
    eddy::sync::notify n;
    auto waits = [n]() -> eddy::task<bool> {
        auto r = co_await eddy::timeout(5ms, n.notified());
        co_return !r && r.error() == eddy::errc::timed_out;
    };
    auto waiter = scoped(eddy::spawn(eddy::submit_to(1, std::move(waits))));
    co_await eddy::sleep_for(2ms);
    const double cpu_before = process_cpu_seconds();
    std::this_thread::sleep_for(300ms); // home does not answer the withdraw meanwhile
    const double spent = process_cpu_seconds() - cpu_before;
    const bool timed_out = co_await joined(waiter.handle());
    CHECK(timed_out);
    // Core 1 waits for the answer in epoll, not in a loop: a spin would burn most of the
    // 300 ms. (A loaded machine gives a spinning core less CPU, never more.)
    CHECK(spent < 0.15);
}

namespace {
eddy::task<> wait_for(eddy::sync::notify n) {
    co_await n.notified();
}
eddy::task<> first_then_forever(eddy::sync::notify a, eddy::sync::notify b) {
    co_await eddy::when_any(wait_for(a), wait_for(b));
    co_await eddy::sleep_for(forever);
}
eddy::task<> spin_until(std::atomic<bool>* go, std::atomic<bool>* spinning) {
    spinning->store(true);
    hold_core_until(*go);
    co_return;
}
} // namespace

EDDY_TEST_CASE_WITH("sync: an abort is not lost when a group withdraws the same remote wait",
                    "[sync][cross_core]", .cores = 3) {
    // P (on core 1) waits in when_any for a notify of core 0 and one of core 2. P is aborted
    // while both cores stand still; core 0 then completes its wait (it wins), and the group
    // withdraws the other, still held by core 2: two cancellers on one remote wait.
    eddy::sync::notify n0;
    auto make_there = [] { return eddy::sync::notify{}; };
    eddy::sync::notify n2 = co_await eddy::submit_to(2, make_there);
    std::atomic<bool> aborted{false}, release2{false}, spinning2{false};
    auto core0 = scoped(eddy::spawn([&]() -> eddy::task<> {
        hold_core_until(aborted); // core 0 stands still: n0's messages wait in its inbox
        n0.notify_one();
        co_return;
    }));
    auto control = [&]() -> eddy::task<bool> {
        auto p = eddy::spawn(first_then_forever(n0, n2));
        co_await eddy::sleep_for(20ms);
        eddy::spawn_on(2, spin_until(&release2, &spinning2));
        hold_core_until(spinning2);
        p.abort();
        aborted = true;
        co_await eddy::sleep_for(50ms);
        release2 = true;
        auto r = co_await eddy::timeout(patience, p);
        co_return !r && r.error() == eddy::errc::operation_canceled;
    };
    const bool canceled = co_await eddy::submit_to(1, std::move(control));
    CHECK(canceled);
    co_await joined(core0.handle());
}
