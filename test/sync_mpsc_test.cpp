// eddy::sync::mpsc: order, closing from either side, bounded waits, cancel safety, and
// senders on another core than the receiver.
#include "test_support.hpp"

#include "eddy/sync/mpsc.hpp"

#include <cstdint>
#include <string>
#include <vector>

using namespace eddy_test;
namespace mpsc = eddy::sync::mpsc;

namespace {

/// Sends `first .. first + count - 1`, each tagged with `sender`, from core `core`.
eddy::task<> send_numbers(mpsc::sender<std::uint64_t> tx, std::size_t core, std::uint64_t sender,
                          std::uint64_t count) {
    co_await eddy::on(core);
    for (std::uint64_t i = 0; i < count; ++i) {
        auto sent = co_await tx.send(sender << 32 | i);
        if (!sent) throw std::runtime_error("send failed: " + sent.error().message());
    }
}

eddy::task<> send_unbounded(mpsc::unbounded_sender<std::uint64_t> tx, std::size_t core,
                            std::uint64_t count) {
    co_await eddy::on(core);
    for (std::uint64_t i = 0; i < count; ++i)
        if (!tx.send(i)) throw std::runtime_error("send failed");
}

} // namespace

EDDY_TEST_CASE("mpsc: values arrive in order and the stream ends when the senders go", "[sync]") {
    auto [tx, rx] = mpsc::unbounded_channel<std::string>();
    {
        auto tx2 = tx;
        CHECK(tx.send("a"));
        CHECK(tx2.send("b"));
        auto gone = std::move(tx);
    }
    auto a = co_await rx.recv();
    auto b = co_await rx.recv();
    auto end = co_await rx.recv();
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == "a");
    CHECK(*b == "b");
    CHECK_FALSE(end);
    auto after = rx.try_recv();
    CHECK(after.error() == eddy::errc::channel_closed);
}

EDDY_TEST_CASE("mpsc: try_send on a full channel gives the value back", "[sync]") {
    auto [tx, rx] = mpsc::channel<std::string>(2);
    CHECK(tx.try_send("one"));
    CHECK(tx.try_send("two"));
    auto third = tx.try_send("three");
    REQUIRE_FALSE(third);
    CHECK(third.error() == eddy::errc::channel_full);
    CHECK(third.take_back() == "three");
    CHECK(rx.size() == 2);
    auto one = rx.try_recv();
    CHECK(*one == "one");
    CHECK(tx.try_send("three"));
    auto empty_check = rx.try_recv();
    CHECK(*empty_check == "two");
    co_return;
}

EDDY_TEST_CASE("mpsc: sends fail and give the value back once the receiver is gone", "[sync]") {
    auto [tx, rx] = mpsc::channel<std::string>(4);
    CHECK(tx.try_send("kept"));
    rx.close();
    CHECK(tx.is_closed());
    auto refused = co_await tx.send("late");
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == eddy::errc::channel_closed);
    CHECK(refused.take_back() == "late");
    auto kept = co_await rx.recv(); // closing keeps what was queued
    REQUIRE(kept);
    CHECK(*kept == "kept");
    {
        auto [tx2, rx2] = mpsc::unbounded_channel<int>();
        { auto gone = std::move(rx2); }
        auto sent = tx2.send(7);
        REQUIRE_FALSE(sent);
        CHECK(sent.take_back() == 7);
    }
}

EDDY_TEST_CASE("mpsc: a bounded send waits for room, and a parked sender sees the receiver go",
               "[sync]") {
    auto [tx, rx] = mpsc::channel<int>(1);
    CHECK(tx.try_send(1));
    auto waiting = scoped(eddy::spawn([tx = tx]() mutable -> eddy::task<int> {
        auto sent = co_await tx.send(2);
        co_return sent ? 0 : sent.take_back();
    }));
    co_await eddy::yield_now();
    CHECK_FALSE(waiting.is_finished());
    auto one = co_await rx.recv();
    CHECK(*one == 1);
    const int waited = co_await joined(waiting.handle());
    CHECK(waited == 0);
    auto two = co_await rx.recv();
    CHECK(*two == 2);

    CHECK(tx.try_send(3));
    auto refused = scoped(eddy::spawn([tx = tx]() mutable -> eddy::task<int> {
        auto sent = co_await tx.send(4);
        co_return sent ? 0 : sent.take_back();
    }));
    co_await eddy::yield_now();
    rx.close();
    const int given_back = co_await joined(refused.handle());
    CHECK(given_back == 4);
}

EDDY_TEST_CASE("mpsc: a timed-out recv loses nothing, a timed-out send sends nothing", "[sync]") {
    auto [tx, rx] = mpsc::channel<int>(1);
    auto nothing = co_await eddy::timeout(10ms, rx.recv());
    CHECK(nothing.error() == eddy::errc::timed_out);
    CHECK(tx.try_send(1));
    auto full = co_await eddy::timeout(10ms, tx.send(2));
    CHECK(full.error() == eddy::errc::timed_out);
    auto one = co_await eddy::timeout(10ms, rx.recv());
    REQUIRE(one);
    CHECK(**one == 1);
    CHECK(rx.try_recv().error() == eddy::errc::would_block); // 2 was never sent
}

EDDY_TEST_CASE("mpsc: recv_many takes what is queued, up to the limit", "[sync]") {
    auto [tx, rx] = mpsc::unbounded_channel<int>();
    for (int i = 0; i < 5; ++i)
        CHECK(tx.send(i));
    std::vector<int> got;
    auto n = co_await rx.recv_many(got, 3);
    CHECK(n == 3);
    n = co_await rx.recv_many(got, 10);
    CHECK(n == 2);
    CHECK(got == std::vector<int>{0, 1, 2, 3, 4});
    { auto gone = std::move(tx); }
    n = co_await rx.recv_many(got, 10);
    CHECK(n == 0);
}

EDDY_TEST_CASE_WITH("mpsc: 1,000,000 values from another core arrive, each once, in order",
                    "[sync][cross_core]", .cores = 2) {
    constexpr std::uint64_t count = 1'000'000;
    auto [tx, rx] = mpsc::unbounded_channel<std::uint64_t>();
    auto producer = scoped(eddy::spawn(send_unbounded(std::move(tx), 1, count)));
    std::uint64_t expected = 0;
    while (auto v = co_await rx.recv()) {
        if (*v != expected) FAIL("got " << *v << " where " << expected << " was due");
        ++expected;
    }
    CHECK(expected == count);
    co_await joined(producer.handle());
}

EDDY_TEST_CASE_WITH("mpsc: bounded senders on both cores keep their order and never overfill",
                    "[sync][cross_core]", .cores = 2) {
    constexpr std::uint64_t per_sender = 100'000;
    constexpr std::size_t capacity = 16;
    auto [tx, rx] = mpsc::channel<std::uint64_t>(capacity);
    auto local = scoped(eddy::spawn(send_numbers(tx, 0, 0, per_sender)));
    auto remote = scoped(eddy::spawn(send_numbers(tx, 1, 1, per_sender)));
    { auto gone = std::move(tx); }
    std::uint64_t next[2] = {0, 0};
    std::size_t most_held = 0;
    while (auto v = co_await rx.recv()) {
        most_held = std::max(most_held, rx.size() + 1);
        const auto sender = *v >> 32, i = *v & 0xffffffff;
        REQUIRE(sender < 2);
        if (i != next[sender]) FAIL("sender " << sender << " sent " << i << " out of order");
        ++next[sender];
    }
    CHECK(next[0] == per_sender);
    CHECK(next[1] == per_sender);
    CHECK(most_held <= capacity + 1); // see mpsc_state.hpp: one over while cores race
    co_await joined(local.handle());
    co_await joined(remote.handle());
}

EDDY_TEST_CASE_WITH("mpsc: a send parked from another core is withdrawn by a timeout",
                    "[sync][cross_core]", .cores = 2) {
    auto [tx, rx] = mpsc::channel<int>(1);
    CHECK(tx.try_send(1));
    // Lambdas with captures that have destructors are named before the co_await
    // (docs/compiler-notes.md, pattern 1).
    auto times_out = [tx = tx]() mutable -> eddy::task<bool> {
        auto sent = co_await eddy::timeout(20ms, tx.send(2));
        co_return !sent && sent.error() == eddy::errc::timed_out;
    };
    auto outcome = co_await eddy::submit_to(1, std::move(times_out));
    CHECK(outcome);
    auto one = co_await rx.recv();
    CHECK(*one == 1);
    CHECK(rx.try_recv().error() == eddy::errc::would_block); // 2 was never sent
    // A remote sender parked at home gets room once the receiver takes.
    CHECK(tx.try_send(3));
    auto sends_later = [tx = tx]() mutable -> eddy::task<bool> {
        auto sent = co_await tx.send(4);
        co_return static_cast<bool>(sent);
    };
    auto later = scoped(eddy::spawn(eddy::submit_to(1, std::move(sends_later))));
    auto three = co_await rx.recv();
    auto four = co_await rx.recv();
    CHECK(*three == 3);
    CHECK(*four == 4);
    const bool sent_later = co_await joined(later.handle());
    CHECK(sent_later);
}

EDDY_TEST_CASE_WITH("mpsc: a sender parked on another core gets its value back when the "
                    "receiver goes",
                    "[sync][cross_core]", .cores = 2) {
    auto [tx, rx] = mpsc::channel<int>(1);
    CHECK(tx.try_send(1));
    auto sends = [tx = tx]() mutable -> eddy::task<int> {
        auto sent = co_await tx.send(2);
        co_return sent ? 0 : sent.take_back();
    };
    auto parked = scoped(eddy::spawn(eddy::submit_to(1, std::move(sends))));
    co_await eddy::sleep_for(20ms); // let it park (the check below holds either way)
    { auto gone = std::move(rx); }
    const int back = co_await joined(parked.handle());
    CHECK(back == 2);
}
