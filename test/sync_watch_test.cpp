// eddy::sync::watch: receivers follow the latest value, closing, cancel safety, and receivers
// and a sender on another core than the channel's.
#include "test_support.hpp"

#include "eddy/sync/watch.hpp"

#include <cstdint>
#include <string>

using namespace eddy_test;
namespace watch = eddy::sync::watch;

namespace {

/// What a follower saw: how many changes, whether each was newer than the one before, the
/// last value, and whether the channel then closed.
struct followed {
    std::uint64_t changes = 0;
    std::uint64_t last = 0;
    bool rising = true;
    bool closed = false;
};

/// Follows the channel on core `core` until it closes.
eddy::task<followed> follow(watch::receiver<std::uint64_t> rx, std::size_t core) {
    co_await eddy::on(core);
    followed f;
    for (;;) {
        auto changed = co_await rx.changed();
        if (!changed) {
            f.closed = changed.error() == eddy::errc::channel_closed;
            break;
        }
        if (rx.get() <= f.last) f.rising = false;
        f.last = rx.get();
        ++f.changes;
    }
    co_return f;
}

/// Sends `1 .. count` from core `core`, letting the other tasks run now and then.
eddy::task<> send_numbers(watch::sender<std::uint64_t> tx, std::size_t core, std::uint64_t count) {
    co_await eddy::on(core);
    for (std::uint64_t i = 1; i <= count; ++i) {
        (void)tx.send(i);
        if (i % 4 == 0) co_await eddy::yield_now();
    }
}

} // namespace

EDDY_TEST_CASE("watch: a receiver waits for a newer value and sees the latest one", "[sync]") {
    auto [tx, rx] = watch::channel<std::string>("initial");
    CHECK(rx.get() == "initial");
    CHECK_FALSE(rx.has_changed());
    auto waiting = scoped(eddy::spawn([rx = rx]() mutable -> eddy::task<std::string> {
        auto changed = co_await rx.changed();
        co_return changed ? rx.get() : std::string("closed");
    }));
    co_await eddy::yield_now();
    CHECK_FALSE(waiting.is_finished());
    REQUIRE(tx.send("first"));
    auto woken_with = co_await joined(waiting.handle());
    CHECK(woken_with == "first");

    REQUIRE(tx.send("second"));
    REQUIRE(tx.send("third")); // a receiver sees the newest, not every value
    CHECK(rx.has_changed());
    CHECK(rx.borrow() == "third");
    CHECK(rx.get() == "initial"); // borrow does not mark it seen
    auto changed = co_await rx.changed();
    REQUIRE(changed);
    CHECK(rx.get() == "third");
    CHECK_FALSE(rx.has_changed());
    CHECK(tx.borrow() == "third");
    auto late = tx.subscribe();
    CHECK(late.get() == "third");
    CHECK_FALSE(late.has_changed());
    CHECK(tx.receiver_count() == 2);
}

EDDY_TEST_CASE("watch: once the sender is gone, changed gives the news left, then closed",
               "[sync]") {
    auto [tx, rx] = watch::channel<int>(0);
    auto parked = scoped(eddy::spawn([rx = rx]() mutable -> eddy::task<bool> {
        auto changed = co_await rx.changed();
        co_return !changed && changed.error() == eddy::errc::channel_closed;
    }));
    co_await eddy::yield_now();
    REQUIRE(tx.send(7));
    auto parked_saw_close = co_await joined(parked.handle());
    CHECK_FALSE(parked_saw_close); // it was woken by the 7, not by the close
    { auto gone = std::move(tx); }
    auto news = co_await rx.changed();
    REQUIRE(news);
    CHECK(rx.get() == 7);
    auto end = co_await rx.changed();
    REQUIRE_FALSE(end);
    CHECK(end.error() == eddy::errc::channel_closed);
}

EDDY_TEST_CASE("watch: a send with no receiver left says so and stores the value", "[sync]") {
    auto [tx, rx] = watch::channel<std::string>("a");
    { auto gone = std::move(rx); }
    CHECK(tx.is_closed());
    auto sent = tx.send("b");
    REQUIRE_FALSE(sent);
    CHECK(sent.error() == eddy::errc::channel_closed);
    CHECK(tx.borrow() == "b");
    auto again = tx.subscribe();
    CHECK(again.get() == "b");
    CHECK(tx.send("c"));
    co_return; // the last handles go here: the sanitizers check the channel is freed
}

EDDY_TEST_CASE("watch: a timed-out changed marks nothing seen", "[sync]") {
    auto [tx, rx] = watch::channel<int>(1);
    auto nothing = co_await eddy::timeout(10ms, rx.changed());
    CHECK(nothing.error() == eddy::errc::timed_out);
    REQUIRE(tx.send(2));
    CHECK(rx.has_changed());
    auto two = co_await eddy::timeout(10ms, rx.changed());
    REQUIRE(two); // timeout of a result<void> gives result<void>
    CHECK(rx.get() == 2);
}

EDDY_TEST_CASE_WITH("watch: followers on both cores see newer values, and the last",
                    "[sync]"
                    "[cross_core]",
                    .cores = 2) {
    constexpr std::uint64_t count = 20'000;
    auto [tx, rx] = watch::channel<std::uint64_t>(0);
    auto far = scoped(eddy::spawn(follow(rx, 1)));
    auto near = scoped(eddy::spawn(follow(std::move(rx), 0)));
    co_await send_numbers(std::move(tx), 0, count);
    auto far_saw = co_await joined(far.handle());
    auto near_saw = co_await joined(near.handle());
    for (const auto& f : {far_saw, near_saw}) {
        CHECK(f.rising);
        CHECK(f.closed);
        CHECK(f.last == count);
        CHECK(f.changes >= 1);
        CHECK(f.changes <= count);
    }
}

EDDY_TEST_CASE_WITH("watch: a sender on another core: its last value lands before the close",
                    "[sync][cross_core]", .cores = 2) {
    constexpr std::uint64_t count = 2'000;
    auto [tx, rx] = watch::channel<std::uint64_t>(0);
    auto near = scoped(eddy::spawn(follow(std::move(rx), 0)));
    co_await send_numbers(std::move(tx), 1, count); // the sender goes on core 1
    auto saw = co_await joined(near.handle());
    CHECK(saw.rising);
    CHECK(saw.closed);
    CHECK(saw.last == count);
}

EDDY_TEST_CASE_WITH("watch: a changed waiting on another core is woken, and one withdrawn by a "
                    "timeout marks nothing seen",
                    "[sync][cross_core]", .cores = 2) {
    auto [tx, rx] = watch::channel<std::string>("before");
    // Lambdas with captures that have destructors are named before the co_await
    // (docs/compiler-notes.md, pattern 1).
    auto times_out = [rx = rx]() mutable -> eddy::task<std::string> {
        auto changed = co_await eddy::timeout(20ms, rx.changed());
        if (changed || changed.error() != eddy::errc::timed_out) co_return "no timeout";
        if (rx.get() != "before") co_return "changed by a timeout";
        auto later = co_await rx.changed(); // the news after the timeout still comes
        co_return later ? rx.get() : std::string("closed");
    };
    auto timed = scoped(eddy::spawn(eddy::submit_to(1, std::move(times_out))));
    auto waits = [rx = rx]() mutable -> eddy::task<std::string> {
        auto changed = co_await rx.changed();
        co_return changed ? rx.get() : std::string("closed");
    };
    auto parked = scoped(eddy::spawn(eddy::submit_to(1, std::move(waits))));
    co_await eddy::sleep_for(50ms); // both park; the first times out (the checks hold either way)
    REQUIRE(tx.send("after"));
    auto timed_saw = co_await joined(timed.handle());
    auto parked_saw = co_await joined(parked.handle());
    CHECK(timed_saw == "after");
    CHECK(parked_saw == "after");
}

EDDY_TEST_CASE_WITH("watch: the last handles may go on another core", "[sync][cross_core]",
                    .cores = 2) {
    auto [tx, rx] = watch::channel<std::string>("start");
    auto drops = [tx = std::move(tx), rx = std::move(rx)]() mutable {
        auto sent = tx.send("sent from core 1"); // lands on core 0 after the lambda ends
        { auto gone = std::move(tx); }
        return sent.has_value();
    };
    auto outcome = co_await eddy::submit_to(1, std::move(drops));
    CHECK(outcome);
}
