// eddy::sync::oneshot: a value once, from this core or another, and both sides going away.
#include "test_support.hpp"

#include "eddy/sync/oneshot.hpp"

#include <memory>
#include <string>

using namespace eddy_test;
namespace oneshot = eddy::sync::oneshot;

EDDY_TEST_CASE("oneshot: the value sent is received", "[sync]") {
    auto [tx, rx] = oneshot::channel<std::string>();
    CHECK(rx.try_recv().error() == eddy::errc::would_block);
    auto sender = scoped(eddy::spawn([tx = std::move(tx)]() mutable -> eddy::task<> {
        co_await eddy::yield_now();
        CHECK(std::move(tx).send("hello"));
    }));
    auto got = co_await rx.recv();
    REQUIRE(got);
    CHECK(*got == "hello");
    auto again = rx.try_recv();
    CHECK(again.error() == eddy::errc::channel_closed);
}

EDDY_TEST_CASE("oneshot: a sender gone without sending closes the channel", "[sync]") {
    auto [tx, rx] = oneshot::channel<int>();
    auto dropper = scoped(eddy::spawn([tx = std::move(tx)]() mutable -> eddy::task<> {
        co_await eddy::yield_now();
        auto gone = std::move(tx);
    }));
    auto got = co_await rx.recv();
    CHECK(got.error() == eddy::errc::channel_closed);
}

EDDY_TEST_CASE("oneshot: sending to a receiver that is gone gives the value back", "[sync]") {
    auto [tx, rx] = oneshot::channel<std::unique_ptr<int>>();
    CHECK_FALSE(tx.is_closed());
    { auto gone = std::move(rx); }
    CHECK(tx.is_closed());
    auto sent = std::move(tx).send(std::make_unique<int>(5));
    REQUIRE_FALSE(sent);
    CHECK(*sent.take_back() == 5);
    co_return;
}

EDDY_TEST_CASE("oneshot: a timed-out recv takes nothing", "[sync]") {
    auto [tx, rx] = oneshot::channel<int>();
    auto early = co_await eddy::timeout(10ms, rx.recv());
    CHECK(early.error() == eddy::errc::timed_out);
    CHECK(std::move(tx).send(3));
    auto got = co_await rx;
    CHECK(*got == 3);
}

EDDY_TEST_CASE_WITH("oneshot: a value sent from another core wakes the receiver here",
                    "[sync][cross_core]", .cores = 2) {
    for (int round = 0; round < 200; ++round) {
        auto [tx, rx] = oneshot::channel<int>();
        auto send_there = [tx = std::move(tx), round]() mutable {
            (void)std::move(tx).send(round);
        };
        eddy::spawn_on(1, [](auto f) -> eddy::task<> {
            f();
            co_return;
        }(std::move(send_there)));
        auto got = co_await eddy::timeout(patience, rx.recv());
        REQUIRE(got);
        CHECK(*got == round);
        CHECK(eddy::current_core() == 0);
    }
    // A sender dropped on another core closes the channel there too.
    auto [tx, rx] = oneshot::channel<int>();
    auto drop_there = [tx = std::move(tx)]() mutable { auto gone = std::move(tx); };
    co_await eddy::submit_to(1, std::move(drop_there));
    auto closed = co_await rx.recv();
    CHECK(closed.error() == eddy::errc::channel_closed);
}
