// eddy::sync::broadcast: every receiver sees every value, lag, closing, cancel safety, and
// receivers and senders on another core than the channel's.
#include "test_support.hpp"

#include "eddy/sync/broadcast.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace eddy_test;
namespace broadcast = eddy::sync::broadcast;

namespace {

/// What a receiver saw: how many values (each larger than the one before), the last one,
/// how many it was told it lost, and whether the channel then closed.
struct seen {
    std::uint64_t values = 0;
    std::uint64_t last = 0;
    std::uint64_t lost = 0;
    bool rising = true;
    bool closed = false;
};

/// Receives on core `core` until the channel closes.
eddy::task<seen> receive_all(broadcast::receiver<std::uint64_t> rx, std::size_t core) {
    co_await eddy::on(core);
    seen s;
    for (;;) {
        auto got = co_await rx.recv();
        if (got) {
            if (s.values > 0 && *got <= s.last) s.rising = false;
            s.last = *got;
            ++s.values;
        } else if (got.lagged()) {
            s.lost += got.lagged();
        } else {
            s.closed = got.error() == eddy::errc::channel_closed;
            break;
        }
    }
    co_return s;
}

/// Sends `0 .. count - 1` from core `core`, letting the other tasks run now and then.
eddy::task<> send_numbers(broadcast::sender<std::uint64_t> tx, std::size_t core,
                          std::uint64_t count) {
    co_await eddy::on(core);
    for (std::uint64_t i = 0; i < count; ++i) {
        auto sent = tx.send(i);
        if (!sent) throw std::runtime_error("send failed: " + sent.error().message());
        if (i % 8 == 0) co_await eddy::yield_now();
    }
}

/// The values a receiver of ints gets until the channel closes (on this core).
eddy::task<std::vector<int>> receive_ints(broadcast::receiver<int> rx) {
    std::vector<int> got;
    for (;;) {
        auto v = co_await rx.recv();
        if (!v) break;
        got.push_back(*v);
    }
    co_return got;
}

/// True when `s` saw values that rise by one, except across its lags, and `count` in all.
bool consistent(const seen& s, std::uint64_t count) {
    return s.rising && s.closed && s.values + s.lost == count && s.last == count - 1;
}

} // namespace

EDDY_TEST_CASE("broadcast: every receiver sees every value sent after it subscribed", "[sync]") {
    auto [tx, rx] = broadcast::channel<std::string>(8);
    auto first = tx.send("one");
    REQUIRE(first);
    CHECK(*first == 1);
    auto late = tx.subscribe(); // does not see "one"
    auto copy = rx;             // continues where rx is
    auto second = tx.send("two");
    REQUIRE(second);
    CHECK(*second == 3);
    CHECK(tx.receiver_count() == 3);

    auto a = co_await rx.recv();
    auto b = co_await rx.recv();
    auto c = co_await copy.recv();
    auto d = co_await late.recv();
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(c);
    REQUIRE(d);
    CHECK(*a == "one");
    CHECK(*b == "two");
    CHECK(*c == "one");
    CHECK(*d == "two");
    auto empty = late.try_recv();
    REQUIRE_FALSE(empty);
    CHECK(empty.lagged() == 0);
    CHECK(empty.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("broadcast: a receiver that falls behind is told how many it lost, then goes on "
               "with the oldest kept",
               "[sync]") {
    auto [tx, rx] = broadcast::channel<int>(4);
    for (int i = 0; i < 10; ++i)
        REQUIRE(tx.send(i));
    auto lag = co_await rx.recv();
    REQUIRE_FALSE(lag);
    CHECK(lag.lagged() == 6);
    std::vector<int> got;
    for (int i = 0; i < 4; ++i) {
        auto v = co_await rx.recv();
        REQUIRE(v);
        got.push_back(*v);
    }
    CHECK(got == std::vector<int>{6, 7, 8, 9});
    auto none = rx.try_recv();
    CHECK(none.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("broadcast: the channel closes when every sender is gone, after what is left",
               "[sync]") {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto waiting = scoped(eddy::spawn(receive_ints(rx)));
    REQUIRE(tx.send(1));
    {
        auto tx2 = tx;
        REQUIRE(tx2.send(2));
        auto gone = std::move(tx);
    }
    auto s = co_await joined(waiting.handle());
    CHECK(s == std::vector<int>{1, 2});
    auto first = co_await rx.recv(); // rx itself was not moved: it still has both
    auto second = co_await rx.recv();
    auto end = co_await rx.recv();
    CHECK(*first == 1);
    CHECK(*second == 2);
    REQUIRE_FALSE(end);
    CHECK(end.lagged() == 0);
    CHECK(end.error() == eddy::errc::channel_closed);
}

EDDY_TEST_CASE("broadcast: a send with no receiver left fails; the last handles free the channel",
               "[sync]") {
    auto [tx, rx] = broadcast::channel<std::string>(2);
    REQUIRE(tx.send("kept in the ring"));
    { auto gone = std::move(rx); }
    CHECK(tx.receiver_count() == 0);
    auto refused = tx.send("nobody");
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == eddy::errc::channel_closed);
    auto again = tx.subscribe(); // a sender can still subscribe
    auto sent = tx.send("seen");
    REQUIRE(sent);
    CHECK(*sent == 1);
    auto got = again.try_recv();
    REQUIRE(got);
    CHECK(*got == "seen");
    co_return; // tx and again go here, with values in the ring: the sanitizers check it
}

EDDY_TEST_CASE("broadcast: a timed-out recv loses nothing", "[sync]") {
    auto [tx, rx] = broadcast::channel<int>(4);
    auto nothing = co_await eddy::timeout(10ms, rx.recv());
    CHECK(nothing.error() == eddy::errc::timed_out);
    REQUIRE(tx.send(5));
    auto five = co_await eddy::timeout(10ms, rx.recv());
    REQUIRE(five);
    REQUIRE(*five);
    CHECK(**five == 5);
    CHECK(rx.try_recv().error() == eddy::errc::would_block);
}

EDDY_TEST_CASE_WITH("broadcast: receivers on both cores see every value or count it as lost",
                    "[sync][cross_core]", .cores = 2) {
    constexpr std::uint64_t count = 20'000;
    auto [tx, rx] = broadcast::channel<std::uint64_t>(16);
    auto far = scoped(eddy::spawn(receive_all(rx, 1)));
    auto near = scoped(eddy::spawn(receive_all(std::move(rx), 0)));
    co_await send_numbers(std::move(tx), 0, count);
    auto far_seen = co_await joined(far.handle());
    auto near_seen = co_await joined(near.handle());
    CHECK(consistent(far_seen, count));
    CHECK(consistent(near_seen, count));
    CHECK(far_seen.values > 0);
}

EDDY_TEST_CASE_WITH("broadcast: values from a sender on another core all arrive, in order, "
                    "before the channel closes",
                    "[sync][cross_core]", .cores = 2) {
    constexpr std::uint64_t count = 2'000;
    auto [tx, rx] = broadcast::channel<std::uint64_t>(count); // room for all: no lag
    auto receiving = scoped(eddy::spawn(receive_all(std::move(rx), 0)));
    auto local = tx; // dropped here, while the other core's values are on their way
    auto sending = scoped(eddy::spawn(send_numbers(std::move(tx), 1, count)));
    co_await eddy::yield_now();
    { auto gone = std::move(local); }
    co_await joined(sending.handle());
    auto s = co_await joined(receiving.handle());
    CHECK(s.lost == 0);
    CHECK(consistent(s, count));
}

EDDY_TEST_CASE_WITH("broadcast: a recv waiting on another core is woken, and one withdrawn by a "
                    "timeout loses nothing",
                    "[sync][cross_core]", .cores = 2) {
    auto [tx, rx] = broadcast::channel<std::string>(4);
    // Lambdas with captures that have destructors are named before the co_await
    // (docs/compiler-notes.md, pattern 1).
    auto times_out = [rx = rx]() mutable -> eddy::task<bool> {
        auto got = co_await eddy::timeout(20ms, rx.recv());
        if (got || got.error() != eddy::errc::timed_out) co_return false;
        auto tx_value = co_await rx.recv(); // the value sent after the timeout still comes
        co_return tx_value&&* tx_value == "after";
    };
    auto timed = scoped(eddy::spawn(eddy::submit_to(1, std::move(times_out))));
    auto waits = [rx = rx]() mutable -> eddy::task<std::string> {
        auto got = co_await rx.recv();
        co_return got ? *got : std::string("nothing");
    };
    auto parked = scoped(eddy::spawn(eddy::submit_to(1, std::move(waits))));
    co_await eddy::sleep_for(50ms); // both park; the first times out (the checks hold either way)
    REQUIRE(tx.send("after"));
    auto withdrawn_then_got = co_await joined(timed.handle());
    auto woken_with = co_await joined(parked.handle());
    CHECK(withdrawn_then_got);
    CHECK(woken_with == "after");
}

EDDY_TEST_CASE_WITH("broadcast: the last handles may go on another core", "[sync][cross_core]",
                    .cores = 2) {
    auto [tx, rx] = broadcast::channel<std::string>(2);
    REQUIRE(tx.send("left in the ring"));
    auto drops = [tx = std::move(tx), rx = std::move(rx)]() mutable {
        auto sent = tx.send("sent from core 1");
        { auto gone = std::move(tx); } // the value is still on its way to core 0
        return sent.has_value();
    };
    auto outcome = co_await eddy::submit_to(1, std::move(drops));
    CHECK(outcome);
}
