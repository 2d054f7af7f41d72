// Stackful fibers destroyed while they wait: aborted, stopped with the runtime, torn down
// on their own core, unwound (destructors run), and their stacks given back clean.
#include "fiber_support.hpp"
#include "forked_child.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#if EDDY_TEST_ASAN
#include <sanitizer/asan_interface.h>
#endif

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace eddy_test;

EDDY_TEST_CASE("aborting a fiber unwinds its stack and its handle gives operation_canceled",
               "[fiber]") {
    // Named, not bound: clang 14 cannot capture a structured binding.
    auto ends = co_await unix_pair();
    auto& b = ends.second;
    on_stack::alive = 0;
    auto h = fiber::spawn([&b] {
        on_stack guard;
        (void)read_byte(b); // never comes
    });
    co_await eddy::sleep_for(2ms);
    CHECK(on_stack::alive == 1);
    h.abort();
    CHECK(on_stack::alive == 0);
    auto r = co_await h;
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == eddy::errc::operation_canceled);
}

EDDY_TEST_CASE("aborting a fiber whose wake-up is queued unwinds it and drops the wake-up",
               "[fiber]") {
    on_stack::alive = 0;
    int stage = 0;
    auto h = fiber::spawn([&stage] {
        on_stack guard;
        ++stage;
        fiber::yield(); // queued to go on
        ++stage;
    });
    co_await eddy::yield_now(); // the fiber runs to its yield, and is queued behind us
    REQUIRE(stage == 1);
    h.abort();
    CHECK(h.is_finished());
    CHECK(on_stack::alive == 0);
    co_await eddy::yield_now(); // the dropped wake-up does not run
    co_await eddy::yield_now();
    CHECK(stage == 1);
    auto r = co_await h;
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == eddy::errc::operation_canceled);
}

EDDY_TEST_CASE("a fiber unwound while it owns another fiber unwinds that one from its stack",
               "[fiber]") {
    on_stack::alive = 0;
    auto outer = fiber::spawn([] {
        on_stack guard;
        // Aborted when this stack unwinds: the inner fiber is entered from here to unwind.
        scoped inner(fiber::spawn([] {
            on_stack inner_guard;
            (void)fiber::sleep_for(forever);
        }));
        fiber::yield();
        CHECK(on_stack::alive == 2);
        (void)fiber::sleep_for(forever);
    });
    for (int turn = 0; turn < 100 && on_stack::alive < 2; ++turn)
        co_await eddy::yield_now();
    REQUIRE(on_stack::alive == 2);
    outer.abort();
    CHECK(on_stack::alive == 0);
    auto r = co_await outer;
    CHECK_FALSE(r);
}

EDDY_TEST_CASE("a fiber that swallows its unwinding is unwound again at its next wait", "[fiber]") {
    on_stack::alive = 0;
    int swallowed = 0;
    bool went_on = false;
    auto h = fiber::spawn([&] {
        on_stack guard;
        try {
            (void)fiber::sleep_for(forever);
        } catch (...) { // wrong: it must rethrow fiber::unwinding
            ++swallowed;
        }
        (void)fiber::sleep_for(1ms); // throws fiber::unwinding again
        went_on = true;
    });
    co_await eddy::sleep_for(1ms);
    h.abort();
    CHECK(swallowed == 1);
    CHECK_FALSE(went_on);
    CHECK(on_stack::alive == 0);
    co_return;
}

namespace {

/// An awaiter whose await_suspend throws.
struct throws_on_suspend {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) { throw std::runtime_error("cannot start"); }
    int await_resume() const noexcept { return 0; }
};

/// An awaiter whose await_suspend hands back the waiting coroutine: it did not suspend.
struct resumes_itself {
    bool await_ready() const noexcept { return false; }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) noexcept { return h; }
    int await_resume() const noexcept { return 7; }
};

} // namespace

EDDY_TEST_CASE("a fiber goes on after an await_suspend that throws or hands back its host",
               "[fiber]") {
    auto h = fiber::spawn([] {
        std::string what;
        try {
            (void)fiber::await(throws_on_suspend{});
        } catch (const std::runtime_error& e) {
            what = e.what();
        }
        const int seven = fiber::await(resumes_itself{});
        (void)fiber::sleep_for(1ms); // an ordinary wait still switches out and back
        return what + ":" + std::to_string(seven);
    });
    auto r = co_await eddy::timeout(patience, h);
    REQUIRE(r);
    CHECK(*r == "cannot start:7");
}

EDDY_TEST_CASE("a fiber::unwinding that a fiber throws while not unwound is its exception",
               "[fiber]") {
    std::exception_ptr shipped;
    auto unwound = fiber::spawn([&shipped] {
        try {
            (void)fiber::sleep_for(forever);
        } catch (...) {
            shipped = std::current_exception(); // reported to someone, as an RPC layer does
            throw;
        }
    });
    co_await eddy::sleep_for(1ms);
    unwound.abort();
    REQUIRE(shipped);
    auto rethrows = fiber::spawn([&shipped] { std::rethrow_exception(shipped); });
    bool caught = false;
    try {
        (void)co_await rethrows;
    } catch (const fiber::unwinding&) {
        caught = true;
    }
    CHECK(caught);
}

TEST_CASE("stop() ends the waits of fibers with operation_canceled and unwinds the rest",
          "[fiber]") {
    on_stack::alive = 0;
    int canceled_reads = 0;
    int canceled_sleeps = 0;
    {
        eddy::runtime rt;
        try {
            rt.block_on([](eddy::runtime& rt, int& reads, int& sleeps) -> eddy::task<> {
                // Each fiber owns what it waits on: the runtime's teardown destroys tasks in
                // no set order.
                auto ends = co_await unix_pair(); // ends.first stays open: the read waits
                fiber::spawn([&reads, b = std::move(ends.second)]() mutable {
                    on_stack guard;
                    std::array<std::byte, 1> buf{};
                    auto n = fiber::await(b.read(buf));
                    if (!n && n.error().code() == eddy::errc::operation_canceled) ++reads;
                }).detach();
                fiber::spawn([&sleeps] {
                    on_stack guard;
                    auto s = fiber::sleep_for(std::chrono::hours(1));
                    if (!s && s.error().code() == eddy::errc::operation_canceled) ++sleeps;
                }).detach();
                auto [tx, rx] = eddy::sync::mpsc::channel<int>(1);
                fiber::spawn([rx = std::move(rx)]() mutable {
                    on_stack guard;
                    (void)fiber::await(rx.recv()); // still waiting at teardown: unwound
                }).detach();
                co_await eddy::sleep_for(2ms);
                CHECK(on_stack::alive == 3);
                rt.stop();
                co_await eddy::sleep_for(std::chrono::hours(1));
            }(rt, canceled_reads, canceled_sleeps));
        } catch (const std::system_error& e) {
            CHECK(e.code() == eddy::errc::operation_canceled);
        }
    }
    CHECK(canceled_reads == 1);
    CHECK(canceled_sleeps == 1);
    CHECK(on_stack::alive == 0);
}

TEST_CASE("a fiber left waiting on a worker core is unwound at teardown, after that core's "
          "thread is gone",
          "[fiber]") {
    // The fiber's channel outlives the runtime through its sender, so the runtime's stop does
    // not end the wait: the fiber is unwound by the teardown, on the calling thread.
    std::optional<eddy::sync::mpsc::sender<int>> sender;
    std::atomic<bool> waiting{false};
    on_stack::alive = 0;
    {
        eddy::runtime rt{{.cores = 2}};
        rt.block_on([](auto& sender, auto& waiting) -> eddy::task<> {
            eddy::spawn_on(1, [](auto& sender, auto& waiting) -> eddy::task<> {
                fiber::spawn([&sender, &waiting] {
                    on_stack guard;
                    auto [tx, rx] = eddy::sync::mpsc::channel<int>(1);
                    sender.emplace(std::move(tx));
                    waiting = true;
                    (void)fiber::await(rx.recv());
                }).detach();
                co_return;
            }(sender, waiting));
            for (int turn = 0; turn < 1000 && !waiting; ++turn)
                co_await eddy::sleep_for(1ms);
            REQUIRE(waiting);
        }(sender, waiting));
    }
    CHECK(on_stack::alive == 0);
}

TEST_CASE("runtime teardown unwinds the fibers left waiting on each core, each on its own core",
          "[fiber]") {
    constexpr std::size_t cores = 3;
    // Each fiber's channel outlives the runtime through its sender, so the runtime's stop
    // does not end the wait: the fibers are still waiting when the runtime is torn down.
    std::array<std::optional<eddy::sync::mpsc::sender<int>>, cores> senders;
    constexpr std::size_t not_yet = static_cast<std::size_t>(-1);
    std::array<std::size_t, cores> unwound_on; // each fiber writes its own
    unwound_on.fill(not_yet);
    std::atomic<std::size_t> waiting{0};
    {
        eddy::runtime rt{{.cores = cores}};
        rt.block_on([](auto& senders, auto& unwound_on, auto& waiting) -> eddy::task<> {
            for (std::size_t core = 0; core < cores; ++core) {
                auto wait_on_own_core = [&senders, &unwound_on, &waiting, core] {
                    struct records_core {
                        std::size_t& out;
                        ~records_core() { out = eddy::current_core(); }
                    } record{unwound_on[core]};
                    // Made on the fiber's core, and checked to be closed there.
                    auto ends = unix_stream::pair().value();
                    auto [tx, rx] = eddy::sync::mpsc::channel<int>(1);
                    senders[core].emplace(std::move(tx));
                    ++waiting;
                    (void)fiber::await(rx.recv());
                };
                if (core == 0)
                    fiber::spawn(std::move(wait_on_own_core)).detach();
                else
                    fiber::spawn_on(core, std::move(wait_on_own_core)).detach();
            }
            for (int turn = 0; turn < 1000 && waiting < cores; ++turn)
                co_await eddy::sleep_for(1ms);
            REQUIRE(waiting == cores);
        }(senders, unwound_on, waiting));
    }
    for (std::size_t core = 0; core < cores; ++core)
        CHECK(unwound_on[core] == core);
}

TEST_CASE("a fiber that ends after its thread's stack pool is gone unmaps its stack", "[fiber]") {
    on_stack::alive = 0;
    std::thread([] {
        // Made before the thread's stack pool (the first fiber makes it), so torn down after
        // the pool at thread exit, with a fiber still waiting.
        thread_local eddy::runtime rt;
        rt.block_on([]() -> eddy::task<> {
            (void)co_await fiber::spawn([] {}); // its stack goes back to the pool
            fiber::spawn([] {
                on_stack guard;
                (void)fiber::sleep_for(forever);
                (void)fiber::sleep_for(forever);
            }).detach();
            co_await eddy::sleep_for(1ms);
        }());
    }).join();
    CHECK(on_stack::alive == 0);
}

EDDY_TEST_CASE("a fiber's stack goes back with no AddressSanitizer poison on it, pooled or not",
               "[fiber]") {
#if EDDY_TEST_ASAN
    constexpr std::size_t fibers = 100; // more than the pool keeps: some stacks are unmapped
    std::vector<char*> poisoned_at(fibers);
    std::vector<eddy::join_handle<void>> handles;
    for (std::size_t i = 0; i < fibers; ++i)
        handles.push_back(fiber::spawn([&poisoned_at, i] {
            fiber::yield(); // every fiber holds its stack at once
            // What frames that are never returned from leave behind: poison, here below
            // this frame, where nothing runs any more.
            char* below = static_cast<char*>(__builtin_frame_address(0)) - 16 * 1024;
            __asan_poison_memory_region(below, 256);
            poisoned_at[i] = below;
        }));
    for (auto& h : handles)
        (void)co_await h;
    std::size_t still_poisoned = 0;
    for (char* p : poisoned_at)
        if (__asan_region_is_poisoned(p, 256)) ++still_poisoned;
    CHECK(still_poisoned == 0);
#else
    SKIP("AddressSanitizer keeps no poison in this build");
    co_return;
#endif
}
