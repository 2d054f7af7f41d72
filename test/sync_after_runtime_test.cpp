// Handles that outlive the runtime that made them: a channel end, a notify or a socket moved
// out of `block_on` into a variable that is destroyed after the runtime, or handed to a plain
// std::thread that uses and drops it once the runtime is gone. Nothing may touch the freed
// cores (the sanitizer build reports it): what such a handle would send home is dropped, and
// a thread that runs no core is never taken for the handle's home.
#include "test_support.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>

#include <fcntl.h>

using namespace eddy_test;

namespace {

/// Runs `make()` on core `core` of a runtime that is destroyed before this returns, and gives
/// what it made: handles whose home is a core that no longer exists.
template <class Make> auto made_in_gone_runtime(Make make, std::size_t core = 0) {
    std::optional<std::invoke_result_t<Make&>> made;
    {
        eddy::runtime rt{{.cores = core + 1}};
        auto body = [&]() -> eddy::task<> {
            if (core == 0)
                made.emplace(make());
            else
                made.emplace(co_await eddy::submit_to(core, make));
        };
        rt.block_on(body());
    }
    return std::move(*made);
}

/// Runs `f` on a plain std::thread (one that runs no core) and waits for it to end.
template <class F> void on_plain_thread(F f) {
    std::thread(std::move(f)).join();
}

} // namespace

TEST_CASE("after its runtime: a notify is notified and dropped in main and on a plain thread",
          "[sync][after_runtime]") {
    auto n = made_in_gone_runtime([] { return eddy::sync::notify(); });
    auto copy = n;
    n.notify_one();
    n.notify_waiters();
    on_plain_thread([c = std::move(copy)]() mutable {
        c.notify_one();
        auto gone = std::move(c);
    });
    auto made_on_core_1 = made_in_gone_runtime([] { return eddy::sync::notify(); }, 1);
    made_on_core_1.notify_one();
}

TEST_CASE("after its runtime: a oneshot sender and receiver are dropped in main",
          "[sync][after_runtime]") {
    auto channel = made_in_gone_runtime([] { return eddy::sync::oneshot::channel<int>(); });
    { auto gone = std::move(channel.first); }
    auto left = channel.second.try_recv();
    CHECK(!left);
    { auto gone = std::move(channel.second); }
}

TEST_CASE("after its runtime: a oneshot sends and its ends are dropped on a plain thread",
          "[sync][after_runtime]") {
    auto channel = made_in_gone_runtime([] { return eddy::sync::oneshot::channel<int>(); }, 1);
    on_plain_thread([tx = std::move(channel.first)]() mutable {
        auto sent = std::move(tx).send(7);
        CHECK(sent);
    });
    on_plain_thread([rx = std::move(channel.second)]() mutable { auto gone = std::move(rx); });

    auto unsent = made_in_gone_runtime([] { return eddy::sync::oneshot::channel<int>(); });
    on_plain_thread([rx = std::move(unsent.second)]() mutable { auto gone = std::move(rx); });
    on_plain_thread([tx = std::move(unsent.first)]() mutable { auto gone = std::move(tx); });
}

TEST_CASE("after its runtime: a broadcast channel sends and is dropped in main and on a plain "
          "thread",
          "[sync][after_runtime]") {
    auto channel = made_in_gone_runtime([] { return eddy::sync::broadcast::channel<int>(4); });
    auto tx = std::move(channel.first);
    auto rx = std::move(channel.second);
    auto tx2 = tx;
    auto rx2 = tx.subscribe();
    auto sent = tx.send(1);
    CHECK(sent); // counted when sent: two receivers were there
    on_plain_thread([t = std::move(tx2), r = std::move(rx2)]() mutable {
        auto also = t.send(2);
        CHECK(also);
        auto gone = std::move(t);
        auto gone_too = std::move(r);
    });
    { auto gone = std::move(tx); } // the last sender: it closed the channel at home
    { auto gone = std::move(rx); }
}

TEST_CASE("after its runtime: a watch channel sends and is dropped in main and on a plain thread",
          "[sync][after_runtime]") {
    auto channel = made_in_gone_runtime([] { return eddy::sync::watch::channel<int>(0); }, 1);
    auto tx = std::move(channel.first);
    auto rx = std::move(channel.second);
    auto rx2 = rx;
    auto sent = tx.send(1);
    CHECK(sent);
    CHECK(rx.get() == 0);
    on_plain_thread([t = std::move(tx), r = std::move(rx2)]() mutable {
        auto again = t.send(2);
        CHECK(again);
        auto gone = std::move(t);
        auto gone_too = std::move(r);
    });
    { auto gone = std::move(rx); }
}

TEST_CASE("after its runtime: semaphore permits are given back and the semaphores dropped",
          "[sync][after_runtime]") {
    struct held {
        std::unique_ptr<eddy::sync::semaphore> plain;
        std::optional<eddy::sync::semaphore_permit> permit;
        std::optional<eddy::sync::shared_semaphore> shared;
        std::optional<eddy::sync::semaphore_permit> shared_permit;
    };
    auto h = made_in_gone_runtime([] {
        held h;
        h.plain = std::make_unique<eddy::sync::semaphore>(2);
        h.permit.emplace(h.plain->try_acquire().value());
        h.shared.emplace(3);
        h.shared_permit.emplace(h.shared->try_acquire(2).value());
        return h;
    });
    h.permit.reset(); // gives its permit back: a message to home once
    h.plain->add_permits(1);
    h.plain->close();
    h.plain.reset();
    on_plain_thread([s = std::move(*h.shared), p = std::move(*h.shared_permit)]() mutable {
        auto copy = s;
        copy.add_permits(1);
        p.release();
    });
}

TEST_CASE("after its runtime: a mutex guard unlocks and the mutex is dropped",
          "[sync][after_runtime]") {
    struct held {
        std::unique_ptr<eddy::sync::mutex<int>> mutex;
        std::optional<eddy::sync::mutex_guard<int>> guard;
    };
    auto h = made_in_gone_runtime([] {
        held h;
        h.mutex = std::make_unique<eddy::sync::mutex<int>>(5);
        h.guard.emplace(h.mutex->try_lock().value());
        return h;
    });
    CHECK(**h.guard == 5);
    on_plain_thread([g = std::move(*h.guard)]() mutable { g.unlock(); });
    h.mutex.reset();

    auto again = made_in_gone_runtime([] {
        held h;
        h.mutex = std::make_unique<eddy::sync::mutex<int>>(6);
        h.guard.emplace(h.mutex->try_lock().value());
        return h;
    });
    again.guard.reset();
    on_plain_thread([m = std::move(again.mutex)]() mutable { m.reset(); });
}

TEST_CASE("after its runtime: a barrier is dropped on a plain thread", "[sync][after_runtime]") {
    auto b = made_in_gone_runtime([] { return std::make_unique<eddy::sync::barrier>(2); });
    CHECK(b->size() == 2);
    on_plain_thread([gone = std::move(b)] {});
}

TEST_CASE("after its runtime: a barrier and a notify waited on from another runtime touch "
          "nothing of the one gone, and their waits can be cancelled",
          "[sync][after_runtime]") {
    auto b = made_in_gone_runtime([] { return std::make_unique<eddy::sync::barrier>(2); });
    auto n = made_in_gone_runtime([] { return eddy::sync::notify(); });
    eddy::runtime other{{.cores = 2}};
    auto body = [&]() -> eddy::task<> {
        // Their home is gone: the waits never complete, and a cancellation is not left
        // waiting for home's answer either.
        auto waited = co_await eddy::timeout(10ms, b->wait());
        CHECK(waited.error() == eddy::errc::timed_out);
        auto notified = co_await eddy::timeout(10ms, n.notified());
        CHECK(notified.error() == eddy::errc::timed_out);
        auto wait_there = [&]() -> eddy::task<bool> {
            auto r = co_await eddy::timeout(10ms, n.notified());
            co_return !r && r.error() == eddy::errc::timed_out;
        };
        const bool timed_out_there = co_await eddy::submit_to(1, wait_there);
        CHECK(timed_out_there);
        auto left = [&]() -> eddy::task<> { (void)co_await b->wait(); };
        auto waiter = eddy::spawn(left());
        co_await eddy::yield_now();
        CHECK(!waiter.is_finished());
        // Left waiting: it ends with `other`.
    };
    other.block_on(body());
}

TEST_CASE("after its runtime: a stop source requests a stop and is dropped on a plain thread",
          "[sync][after_runtime]") {
    struct held {
        eddy::sync::stop_source source;
        eddy::sync::stop_token token;
    };
    auto h = made_in_gone_runtime([] {
        eddy::sync::stop_source s;
        return held{s, s.get_token()};
    });
    on_plain_thread([s = std::move(h.source)] {
        CHECK(s.request_stop());
        CHECK(!s.request_stop());
    });
    CHECK(h.token.stop_requested());
    on_plain_thread([t = std::move(h.token)] { CHECK(t.stop_requested()); });
}

TEST_CASE("after its runtime: mpsc senders send and are dropped in main and on a plain thread",
          "[sync][after_runtime]") {
    auto channel = made_in_gone_runtime([] { return eddy::sync::mpsc::channel<int>(4); });
    auto tx = std::move(channel.first);
    auto rx = std::move(channel.second);
    auto tx2 = tx;
    auto sent = tx.try_send(1);
    CHECK(sent);
    on_plain_thread([t = std::move(tx2)]() mutable {
        auto also = t.try_send(2);
        CHECK(also);
        auto gone = std::move(t);
    });
    { auto gone = std::move(tx); }
    { auto gone = std::move(rx); }

    auto unbounded =
        made_in_gone_runtime([] { return eddy::sync::mpsc::unbounded_channel<int>(); }, 1);
    on_plain_thread([rx = std::move(unbounded.second)]() mutable { auto gone = std::move(rx); });
    on_plain_thread([tx = std::move(unbounded.first)]() mutable {
        auto refused = tx.send(3); // the receiver is gone
        CHECK(refused.error() == eddy::errc::channel_closed);
        auto gone = std::move(tx);
    });
}

TEST_CASE("after its runtime: a join handle and a task group are dropped in main",
          "[runtime][after_runtime]") {
    struct held {
        eddy::join_handle<int> handle;
        std::unique_ptr<eddy::task_group<int>> group;
    };
    auto h = made_in_gone_runtime([] {
        auto never = []() -> eddy::task<int> {
            (void)co_await eddy::sleep_for(forever);
            co_return 1;
        };
        held h{eddy::spawn(never()), std::make_unique<eddy::task_group<int>>()};
        h.group->spawn(never());
        return h;
    });
    CHECK(h.handle.is_finished()); // ended with its runtime
    h.group.reset();
}

TEST_CASE("after its runtime: a plain thread that notifies while the runtime is destroyed "
          "touches nothing freed",
          "[sync][after_runtime]") {
    // Core 1 runs its loop (its reactor is woken by the posts) until the runtime is destroyed;
    // the notifier keeps posting to it before, during and after.
    std::optional<eddy::sync::notify> n;
    std::atomic<bool> started{false};
    std::thread notifier;
    {
        eddy::runtime rt{{.cores = 2}};
        auto make = [] { return eddy::sync::notify(); };
        auto body = [&]() -> eddy::task<> { n.emplace(co_await eddy::submit_to(1, make)); };
        rt.block_on(body());
        notifier = std::thread([copy = *n, &started] {
            for (int i = 0; i < 20000; ++i) {
                copy.notify_one();
                if (i == 100) started.store(true);
            }
        });
        for (int i = 0; i < 1'000'000 && !started.load(); ++i)
            std::this_thread::yield();
    }
    notifier.join();
}

EDDY_TEST_CASE("mpsc: the last sender dropped on a plain thread while the receiver waits ends "
               "the stream on the receiver's core",
               "[sync][after_runtime]") {
    auto channel = eddy::sync::mpsc::unbounded_channel<int>();
    auto rx = std::move(channel.second);
    auto receive = [&]() -> eddy::task<std::optional<int>> { co_return co_await rx.recv(); };
    auto receiver = scoped(eddy::spawn(receive()));
    co_await eddy::yield_now(); // it waits now
    std::thread dropper([tx = std::move(channel.first)]() mutable { auto gone = std::move(tx); });
    // Before the end travelled through home's inbox, the thread set it and queued the
    // receiver itself: a data race with this core, which it did not wake either.
    auto got = co_await eddy::timeout(patience, join(receiver.handle()));
    dropper.join();
    REQUIRE(got);
    CHECK(!*got); // the end of the stream
}

TEST_CASE("after its runtime: sockets are closed in main and on a plain thread, and one gives "
          "its fd up",
          "[net][after_runtime]") {
    struct held {
        eddy::net::tcp_listener listener;
        std::pair<eddy::net::unix_stream, eddy::net::unix_stream> pair;
        eddy::net::udp_socket udp;
    };
    auto h = made_in_gone_runtime([] {
        return held{eddy::net::tcp_listener::bind("127.0.0.1:0").value(),
                    eddy::net::unix_stream::pair().value(),
                    eddy::net::udp_socket::bind("127.0.0.1:0").value()};
    });
    { auto gone = std::move(h.listener); }
    on_plain_thread([s = std::move(h.pair.first)]() mutable { auto gone = std::move(s); });
    const int fd = std::move(h.pair.second).into_fd();
    REQUIRE(fd >= 0);
    eddy::detail::unique_fd owned(fd); // still open: it is ours now
    CHECK(::fcntl(fd, F_GETFD) >= 0);
    on_plain_thread([s = std::move(h.udp)]() mutable { auto gone = std::move(s); });
}
