// eddy::mutex and eddy::semaphore: exclusion and FIFO order, cancel safety (a
// cancelled wait takes nothing), contention from both cores, and handles that go last.
#include "test_support.hpp"

#include "eddy/sync/mutex.hpp"
#include "eddy/sync/semaphore.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace eddy_test;
using eddy::sync::mutex;
using eddy::sync::semaphore;
using eddy::sync::shared_semaphore;

namespace {

constexpr std::uint64_t rounds = 20'000;

/// `rounds` times on core `core`: lock, add one to the guarded counter, unlock; holds the
/// lock across a yield now and then, so the other core's lockers queue up.
eddy::task<> count_under_lock(mutex<std::uint64_t>& m, std::size_t core) {
    co_await eddy::on(core);
    for (std::uint64_t i = 0; i < rounds; ++i) {
        auto guard = co_await m.lock();
        const std::uint64_t before = *guard;
        if (i % 64 == 0) co_await eddy::yield_now();
        *guard = before + 1; // a plain read-modify-write: exact only under exclusion
    }
}

/// The same with a one-permit semaphore guarding `counter`.
eddy::task<> count_under_permit(semaphore& s, std::uint64_t& counter, std::size_t core) {
    co_await eddy::on(core);
    for (std::uint64_t i = 0; i < rounds; ++i) {
        auto permit = co_await s.acquire();
        if (!permit) throw std::runtime_error("acquire failed: " + permit.error().message());
        const std::uint64_t before = counter;
        if (i % 64 == 0) co_await eddy::yield_now();
        counter = before + 1;
    }
}

/// Locks `m`, appends `id` to `order`, unlocks.
eddy::task<> take_turn(mutex<>& m, std::vector<int>& order, int id) {
    auto guard = co_await m.lock();
    order.push_back(id);
}

/// Acquires `n` permits, notes `id` in `order`, and gives them back at once.
eddy::task<> take_permits(semaphore& s, std::size_t n, std::vector<int>& order, int id) {
    auto permit = co_await s.acquire(n);
    order.push_back(permit ? id : -id);
}

} // namespace

// --- mutex -------------------------------------------------------------------------------

EDDY_TEST_CASE("mutex: one holder at a time, waiters served in the order they came", "[sync]") {
    mutex m;
    std::vector<int> order;
    auto held = co_await m.lock();
    CHECK(m.is_locked());
    CHECK(m.try_lock().error() == eddy::errc::would_block);
    auto first = scoped(eddy::spawn(take_turn(m, order, 1)));
    auto second = scoped(eddy::spawn(take_turn(m, order, 2)));
    auto third = scoped(eddy::spawn(take_turn(m, order, 3)));
    co_await eddy::yield_now();
    CHECK(order.empty());
    held.unlock();
    CHECK(m.is_locked()); // handed to the first waiter, not freed
    co_await joined(first.handle());
    co_await joined(second.handle());
    co_await joined(third.handle());
    CHECK(order == std::vector<int>{1, 2, 3});
    CHECK_FALSE(m.is_locked());
}

EDDY_TEST_CASE("mutex: a mutex<T> guards its value, and a guard moves", "[sync]") {
    mutex<std::string> text(std::string("a"));
    mutex counter(0); // mutex<int>
    {
        auto guard = co_await text.lock();
        guard->append("b");
        auto moved = std::move(guard);
        *moved += "c";
    }
    auto again = text.try_lock();
    REQUIRE(again);
    CHECK(**again == "abc");
    auto n = counter.try_lock();
    REQUIRE(n);
    CHECK(**n == 0);
}

EDDY_TEST_CASE("mutex: a timed-out lock holds nothing and leaves no waiter", "[sync]") {
    mutex m;
    std::vector<int> order;
    auto held = co_await m.lock();
    auto nothing = co_await eddy::timeout(10ms, m.lock());
    CHECK(nothing.error() == eddy::errc::timed_out);
    auto behind = scoped(eddy::spawn(take_turn(m, order, 1)));
    co_await eddy::yield_now();
    held.unlock(); // goes to the waiter behind the one that timed out
    co_await joined(behind.handle());
    CHECK(order == std::vector<int>{1});
    auto free = m.try_lock();
    CHECK(free);
}

EDDY_TEST_CASE("mutex: a lock granted to a task aborted before it ran is given back", "[sync]") {
    mutex m;
    std::vector<int> order;
    auto held = co_await m.lock();
    auto waiter = eddy::spawn(take_turn(m, order, 1));
    co_await eddy::yield_now();
    held.unlock(); // handed to the waiter, which is queued to run
    waiter.abort();
    co_await eddy::yield_now();
    CHECK(order.empty());
    auto free = m.try_lock();
    CHECK(free);
}

EDDY_TEST_CASE_WITH("mutex: 2 x 20,000 increments under the lock from both cores are exact",
                    "[sync][cross_core]", .cores = 2) {
    mutex<std::uint64_t> m(0);
    auto far = scoped(eddy::spawn(count_under_lock(m, 1)));
    auto near = scoped(eddy::spawn(count_under_lock(m, 0)));
    co_await joined(far.handle(), 60s);
    co_await joined(near.handle(), 60s);
    auto total = m.try_lock();
    REQUIRE(total);
    CHECK(**total == 2 * rounds);
}

EDDY_TEST_CASE_WITH("mutex: a lock waiting on another core is withdrawn by a timeout, or handed "
                    "the lock",
                    "[sync][cross_core]", .cores = 2) {
    mutex<int> m(0);
    auto held = co_await m.lock();
    auto times_out = [&m]() -> eddy::task<bool> {
        auto got = co_await eddy::timeout(20ms, m.lock());
        co_return !got && got.error() == eddy::errc::timed_out;
    };
    auto timed_out = co_await eddy::submit_to(1, times_out);
    CHECK(timed_out);
    auto waits = [&m]() -> eddy::task<int> {
        auto guard = co_await m.lock();
        *guard += 1;
        co_return *guard;
    };
    auto parked = scoped(eddy::spawn(eddy::submit_to(1, waits)));
    co_await eddy::sleep_for(20ms); // let it park (the checks hold either way)
    held.unlock();                  // to the waiter on core 1, not to the one withdrawn
    auto seen = co_await joined(parked.handle());
    CHECK(seen == 1);
    auto unlocked = co_await eventually([&] { return !m.is_locked(); }); // its unlock came back
    CHECK(unlocked);
    auto free = m.try_lock();
    REQUIRE(free);
    CHECK(**free == 1);
}

// --- semaphore ---------------------------------------------------------------------------

EDDY_TEST_CASE("semaphore: permits are taken, given back, added and forgotten", "[sync]") {
    semaphore s(3);
    {
        auto two = co_await s.acquire(2);
        REQUIRE(two);
        CHECK(two->count() == 2);
        CHECK(s.available() == 1);
        CHECK(s.try_acquire(2).error() == eddy::errc::would_block);
        auto one = s.try_acquire();
        REQUIRE(one);
        CHECK(s.available() == 0);
    }
    CHECK(s.available() == 3);
    s.add_permits(2);
    CHECK(s.available() == 5);
    auto lost = s.try_acquire(4);
    REQUIRE(lost);
    lost->forget();
    CHECK(s.available() == 1);
}

EDDY_TEST_CASE("semaphore: a large acquire is served before smaller ones that came after it",
               "[sync]") {
    semaphore s(0);
    std::vector<int> order;
    auto big = scoped(eddy::spawn(take_permits(s, 3, order, 3)));
    auto small = scoped(eddy::spawn(take_permits(s, 1, order, 1)));
    co_await eddy::yield_now();
    s.add_permits(1); // enough for the small one, which waits behind the big one
    co_await eddy::yield_now();
    CHECK(order.empty());
    s.add_permits(2);
    co_await joined(big.handle());
    co_await joined(small.handle());
    CHECK(order == std::vector<int>{3, 1});
    CHECK(s.available() == 3);
}

EDDY_TEST_CASE("semaphore: close fails the waiters and later acquires", "[sync]") {
    semaphore s(1);
    std::vector<int> order;
    auto held = s.try_acquire();
    REQUIRE(held);
    auto waiting = scoped(eddy::spawn(take_permits(s, 1, order, 7)));
    co_await eddy::yield_now();
    s.close();
    co_await joined(waiting.handle());
    CHECK(order == std::vector<int>{-7});
    CHECK(s.is_closed());
    auto late = co_await s.acquire();
    CHECK(late.error() == eddy::errc::channel_closed);
    CHECK(s.try_acquire().error() == eddy::errc::channel_closed);
    held->release(); // still counts
    CHECK(s.available() == 1);
}

EDDY_TEST_CASE("semaphore: a timed-out acquire takes nothing, and lets those behind it through",
               "[sync]") {
    semaphore s(1);
    auto none = co_await eddy::timeout(10ms, s.acquire(2));
    CHECK(none.error() == eddy::errc::timed_out);
    CHECK(s.available() == 1);
    std::vector<int> order;
    // A big acquire at the front holds back a small one that would fit, until it times out.
    auto big = [&s]() -> eddy::task<bool> {
        auto got = co_await eddy::timeout(20ms, s.acquire(2));
        co_return !got && got.error() == eddy::errc::timed_out;
    };
    auto front = scoped(eddy::spawn(big));
    co_await eddy::yield_now();
    auto small = scoped(eddy::spawn(take_permits(s, 1, order, 1)));
    co_await eddy::yield_now();
    CHECK(order.empty());
    auto big_timed_out = co_await joined(front.handle());
    CHECK(big_timed_out);
    co_await joined(small.handle());
    CHECK(order == std::vector<int>{1});
    CHECK(s.available() == 1);
}

EDDY_TEST_CASE("semaphore: permits granted to a task aborted before it ran are given back",
               "[sync]") {
    semaphore s(0);
    std::vector<int> order;
    auto waiter = eddy::spawn(take_permits(s, 2, order, 1));
    co_await eddy::yield_now();
    s.add_permits(2); // granted; the waiter is queued to run
    CHECK(s.available() == 0);
    waiter.abort();
    co_await eddy::yield_now();
    CHECK(order.empty());
    CHECK(s.available() == 2);
}

EDDY_TEST_CASE_WITH("semaphore: 2 x 20,000 increments under one permit from both cores are "
                    "exact",
                    "[sync][cross_core]", .cores = 2) {
    semaphore s(1);
    std::uint64_t counter = 0;
    auto far = scoped(eddy::spawn(count_under_permit(s, counter, 1)));
    auto near = scoped(eddy::spawn(count_under_permit(s, counter, 0)));
    co_await joined(far.handle(), 60s);
    co_await joined(near.handle(), 60s);
    auto released = co_await eventually([&] { return s.available() == 1; }); // core 1's last
    CHECK(released);
    CHECK(counter == 2 * rounds);
}

EDDY_TEST_CASE_WITH("semaphore: an acquire waiting on another core is withdrawn by a timeout",
                    "[sync][cross_core]", .cores = 2) {
    semaphore s(1);
    auto times_out = [&s]() -> eddy::task<bool> {
        auto got = co_await eddy::timeout(20ms, s.acquire(2));
        co_return !got && got.error() == eddy::errc::timed_out;
    };
    auto timed_out = co_await eddy::submit_to(1, times_out);
    CHECK(timed_out);
    CHECK(s.available() == 1);
    auto p = s.try_acquire(); // nobody waits at the front any more
    CHECK(p);
}

EDDY_TEST_CASE_WITH("semaphore: a shared semaphore's permit moves to another core, is released "
                    "there, and keeps it alive",
                    "[sync][cross_core]", .cores = 2) {
    auto limit = std::make_unique<shared_semaphore>(2);
    auto permit = co_await limit->acquire(2);
    REQUIRE(permit);
    std::optional<shared_semaphore> copy(*limit);
    auto releases = [p = std::move(*permit)]() mutable {
        const auto n = p.count();
        p.release(); // a message to core 0
        return n;
    };
    auto released = co_await eddy::submit_to(1, std::move(releases));
    CHECK(released == 2);
    auto back = co_await eventually([&] { return copy->available() == 2; });
    CHECK(back);

    // The last handle goes while a permit is out; the permit goes last, on core 1.
    auto last = co_await copy->acquire();
    REQUIRE(last);
    limit.reset();
    copy.reset();
    auto drops = [p = std::move(*last)]() mutable { return p.count(); };
    auto dropped = co_await eddy::submit_to(1, std::move(drops));
    CHECK(dropped == 1);
}
