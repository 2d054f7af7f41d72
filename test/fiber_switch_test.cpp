// Stackful fibers at the edges of a switch: a stack overflow hits the guard page, and
// awaiters that complete or abort inside their own await_suspend find the fiber consistent.
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

namespace {

// Deeper than any stack this test gives a fiber (256 bytes a frame: never past a guard page).
int overflow(int depth) {
    volatile char frame_data[256] = {};
    frame_data[0] = static_cast<char>(depth);
    if (depth > 100'000'000) return 0;
    return overflow(depth + 1) + frame_data[0];
}

constexpr int hit_guard_page = 42;
constexpr int hit_elsewhere = 43;

/// Parses a hexadecimal number at `p`, moving `p` past it.
std::uintptr_t parse_hex(const char*& p) noexcept {
    std::uintptr_t v = 0;
    for (;; ++p) {
        const char c = *p;
        if (c >= '0' && c <= '9')
            v = v * 16 + static_cast<std::uintptr_t>(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + static_cast<std::uintptr_t>(c - 'a' + 10);
        else
            return v;
    }
}

/// Whether the line of /proc/self/maps at `p` is a mapping with no access holding `addr`.
bool guard_mapping_holds(const char* p, std::uintptr_t addr) noexcept {
    const std::uintptr_t begin = parse_hex(p);
    ++p; // '-'
    const std::uintptr_t end = parse_hex(p);
    ++p; // ' '
    return addr >= begin && addr < end && p[0] == '-' && p[1] == '-' && p[2] == '-';
}

/// SIGSEGV in the child: exits `hit_guard_page` when the faulting address lies in a mapping
/// with no access at all (a guard page), else `hit_elsewhere`. Only system calls and plain
/// code here: it runs in a signal handler, on the alternate stack. The maps are read a piece
/// at a time (a sanitizer's process has thousands of them).
void on_segv(int, siginfo_t* info, void*) {
    const auto addr = reinterpret_cast<std::uintptr_t>(info->si_addr);
    static char buf[8192];
    std::size_t held = 0;
    const int fd = ::open("/proc/self/maps", O_RDONLY);
    for (ssize_t n; fd >= 0 && (n = ::read(fd, buf + held, sizeof buf - 1 - held)) > 0;) {
        held += static_cast<std::size_t>(n);
        buf[held] = '\0';
        char* line = buf;
        for (char* nl; (nl = static_cast<char*>(std::memchr(
                            line, '\n', held - static_cast<std::size_t>(line - buf))));) {
            *nl = '\0';
            if (guard_mapping_holds(line, addr)) ::_exit(hit_guard_page);
            line = nl + 1;
        }
        held -= static_cast<std::size_t>(line - buf);
        std::memmove(buf, line, held);
    }
    ::_exit(hit_elsewhere);
}

} // namespace

TEST_CASE("a fiber that overflows its stack hits the guard page and the program stops", "[fiber]") {
    const auto d = run_in_child([] {
        static char alternate_stack[64 * 1024];
        stack_t ss{};
        ss.ss_sp = alternate_stack;
        ss.ss_size = sizeof alternate_stack;
        ::sigaltstack(&ss, nullptr);
        struct sigaction sa {};
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        ::sigaction(SIGSEGV, &sa, nullptr);
        eddy::runtime rt;
        rt.block_on(
            []() -> eddy::task<> { (void)co_await fiber::spawn([] { return overflow(0); }); }());
        return 0;
    });
    INFO(d.stderr_text);
    REQUIRE(WIFEXITED(d.status));
    CHECK(WEXITSTATUS(d.status) == hit_guard_page);
}

namespace {

/// A one-shot event whose `set()` resumes its waiters at once, on the caller's stack (as
/// cppcoro's events do; eddy's own primitives queue their wake-ups instead).
class inline_event {
  public:
    class awaiter {
      public:
        explicit awaiter(inline_event& e) noexcept : event_(&e) {}
        bool await_ready() const noexcept { return event_->set_; }
        void await_suspend(std::coroutine_handle<> h) {
            handle_ = h;
            event_->waiters_.push_back(h);
        }
        void await_resume() const noexcept {}
        bool cancel() noexcept {
            std::erase(event_->waiters_, handle_);
            return true;
        }

      private:
        inline_event* event_;
        std::coroutine_handle<> handle_;
    };

    awaiter operator co_await() noexcept { return awaiter(*this); }
    void set() {
        set_ = true;
        for (auto waiters = std::move(waiters_); auto h : waiters)
            h.resume();
    }

  private:
    bool set_ = false;
    std::vector<std::coroutine_handle<>> waiters_;
};

/// A callback API adapted to co_await: `start(done)` begins an operation that calls `done()`
/// when it completes, which may be at once, from inside `start` (the result was there).
template <class Start> class callback_awaiter {
  public:
    explicit callback_awaiter(Start s) : start_(std::move(s)) {}
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        start_([h] { h.resume(); });
    }
    void await_resume() const noexcept {}

  private:
    Start start_;
};

} // namespace

EDDY_TEST_CASE("a wait that completes inside its await_suspend lets the fiber go on", "[fiber]") {
    inline_event later;
    auto h = fiber::spawn([&later] {
        int completions = 0;
        // Completed at once: the host is resumed while the fiber is still on its stack.
        for (int i = 0; i < 3; ++i)
            fiber::await(callback_awaiter([&completions](auto done) {
                ++completions;
                done();
            }));
        // Completed later, from a coroutine: the fiber is switched back in as usual.
        fiber::await(callback_awaiter([&](auto done) {
            eddy::spawn([](inline_event& e, decltype(done) d) -> eddy::task<> {
                co_await e;
                d();
            }(later, done))
                .detach();
        }));
        fiber::yield();
        return completions;
    });
    co_await eddy::sleep_for(1ms);
    CHECK_FALSE(h.is_finished());
    later.set();
    auto r = co_await eddy::timeout(patience, h);
    REQUIRE(r);
    CHECK(*r == 3);
}

EDDY_TEST_CASE("a fiber woken at once by another fiber runs on that fiber's stack and back",
               "[fiber]") {
    inline_event ev;
    on_stack::alive = 0;
    auto woken = fiber::spawn([&ev] {
        on_stack guard;
        fiber::await(ev);
        fiber::yield(); // back to the waker's stack, then resumed from the core's
        return on_stack::alive;
    });
    co_await eddy::yield_now();
    auto waker = fiber::spawn([&ev] {
        on_stack guard;
        ev.set(); // runs `woken` until its yield, on top of this fiber
        return on_stack::alive;
    });
    auto rw = co_await eddy::timeout(patience, waker);
    auto rv = co_await eddy::timeout(patience, woken);
    REQUIRE(rw);
    REQUIRE(rv);
    CHECK(*rw == 2);
    CHECK(*rv == 1);
    CHECK(on_stack::alive == 0);
}

EDDY_TEST_CASE("an abort of a fiber that runs below the aborting fiber waits for its next wait",
               "[fiber]") {
    inline_event wakes_b;
    on_stack::alive = 0;
    eddy::join_handle<void> a;
    bool a_went_on = false;
    auto b = fiber::spawn([&] {
        fiber::await(wakes_b);
        // Entered from `a`'s stack, inside the await_suspend of the wait `a` is starting.
        a.abort();
        return a.is_finished();
    });
    co_await eddy::yield_now();
    a = fiber::spawn([&] {
        on_stack guard;
        fiber::await(callback_awaiter([&](auto) { wakes_b.set(); })); // never completes
        a_went_on = true;
    });
    auto rb = co_await eddy::timeout(patience, b);
    REQUIRE(rb);
    CHECK_FALSE(*rb);
    auto ra = co_await eddy::timeout(patience, a);
    REQUIRE_FALSE(ra);
    CHECK(ra.error().code() == eddy::errc::operation_canceled);
    CHECK_FALSE(a_went_on);
    CHECK(on_stack::alive == 0);
}

EDDY_TEST_CASE("a fiber that aborts its own handle is aborted at its next wait", "[fiber]") {
    on_stack::alive = 0;
    int reached = 0;
    eddy::join_handle<void> plain;
    plain = fiber::spawn([&] {
        on_stack guard;
        plain.abort();
        ++reached;
        (void)fiber::sleep_for(forever);
        ++reached;
    });
    eddy::join_handle<void> in_await_suspend;
    in_await_suspend = fiber::spawn([&] {
        on_stack guard;
        fiber::await(callback_awaiter([&](auto) { in_await_suspend.abort(); }));
        ++reached;
    });
    auto r1 = co_await eddy::timeout(patience, plain);
    auto r2 = co_await eddy::timeout(patience, in_await_suspend);
    REQUIRE_FALSE(r1);
    CHECK(r1.error().code() == eddy::errc::operation_canceled);
    REQUIRE_FALSE(r2);
    CHECK(r2.error().code() == eddy::errc::operation_canceled);
    CHECK(reached == 1);
    CHECK(on_stack::alive == 0);
}

TEST_CASE("code that await_suspend runs is not the fiber: fiber::await there stops the program",
          "[fiber][misuse]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        bool inside = true;
        auto h = fiber::spawn([&inside] {
            fiber::await(callback_awaiter([&inside](auto done) {
                inside = fiber::in_fiber();
                eddy::spawn([](decltype(done) d) -> eddy::task<> {
                    d();
                    co_return;
                }(done))
                    .detach();
            }));
            return fiber::in_fiber();
        });
        auto r = co_await eddy::timeout(patience, h);
        REQUIRE(r);
        CHECK(*r);
        CHECK_FALSE(inside);
    }());
    const auto d = run_in_child([] {
        eddy::runtime rt;
        rt.block_on([]() -> eddy::task<> {
            (void)co_await fiber::spawn([] {
                fiber::await(callback_awaiter([](auto done) {
                    (void)fiber::sleep_for(1ms); // blocking-style code inside a callback
                    done();
                }));
            });
        }());
    });
    INFO(d.stderr_text);
    CHECK(stopped_abnormally(d.status));
    CHECK_THAT(d.stderr_text, Catch::Matchers::ContainsSubstring("outside a fiber"));
}
