// Stackful fibers (eddy/fiber.hpp): blocking-style code on its own stack that waits on
// eddy's sockets, timers, channels and tasks, joined, aborted and stopped as tasks are.
#include "forked_child.hpp"
#include "test_support.hpp"

#include "eddy/fiber.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDDY_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EDDY_TEST_ASAN 1
#endif
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
using eddy::net::unix_stream;
namespace fiber = eddy::fiber;

namespace {

/// Counts its live instances: what a fiber's stack holds is destroyed when it is unwound.
struct on_stack {
    static inline int alive = 0;
    on_stack() noexcept { ++alive; }
    on_stack(const on_stack&) = delete;
    on_stack& operator=(const on_stack&) = delete;
    ~on_stack() { --alive; }
};

/// Reads one byte in a fiber, as blocking code would.
char read_byte(unix_stream& s) {
    std::array<std::byte, 1> b{};
    auto n = fiber::await(s.read(b));
    if (!n) throw std::system_error(n.error().code(), "read");
    if (*n == 0) throw std::runtime_error("end of stream");
    return static_cast<char>(b[0]);
}

/// Recurses `depth` frames, then reads a byte at the bottom; each frame adds its own byte.
std::size_t read_at_depth(unix_stream& s, int depth) {
    volatile char frame_data[64] = {};
    frame_data[0] = static_cast<char>(depth);
    if (depth == 0) return static_cast<std::size_t>(read_byte(s) == 'x');
    return read_at_depth(s, depth - 1) +
           static_cast<std::size_t>(frame_data[0] == static_cast<char>(depth));
}

eddy::task<std::pair<unix_stream, unix_stream>> unix_pair() {
    co_return unix_stream::pair().value();
}

} // namespace

EDDY_TEST_CASE("a fiber's value reaches the coroutine that awaits its handle", "[fiber]") {
    auto h = fiber::spawn([] {
        CHECK(fiber::in_fiber());
        CHECK(fiber::sleep_for(1ms));
        fiber::yield();
        return 42;
    });
    CHECK_FALSE(fiber::in_fiber());
    auto r = co_await h;
    REQUIRE(r);
    CHECK(*r == 42);
}

EDDY_TEST_CASE("a fiber reads and writes a socket in blocking style", "[fiber]") {
    // Named, not bound: clang 14 cannot capture a structured binding.
    auto ends = co_await unix_pair();
    auto& a = ends.first;
    auto& b = ends.second;
    auto h = fiber::spawn([&b] {
        std::string got;
        for (int i = 0; i < 3; ++i)
            got += read_byte(b);
        const std::string reply = "ok:" + got;
        auto w = fiber::await(eddy::io::write_all(b, std::as_bytes(std::span(reply))));
        return w ? got : std::string("write failed");
    });
    for (const char* c : {"a", "b", "c"}) {
        co_await eddy::sleep_for(1ms);
        co_await write_text(a, c);
    }
    auto r = co_await h;
    REQUIRE(r);
    CHECK(*r == "abc");
    const auto reply = co_await read_text(a, 6);
    CHECK(reply == "ok:abc");
}

EDDY_TEST_CASE("an exception thrown in a fiber comes out of the awaiting coroutine", "[fiber]") {
    auto h = fiber::spawn([]() -> int {
        (void)fiber::sleep_for(1ms);
        throw std::runtime_error("parse error at line 7");
    });
    bool caught = false;
    try {
        (void)co_await h;
    } catch (const std::runtime_error& e) {
        caught = std::string(e.what()) == "parse error at line 7";
    }
    CHECK(caught);
}

EDDY_TEST_CASE("a fiber recursing 2,000 frames deep reads a socket at the bottom", "[fiber]") {
    // Named, not bound: clang 14 cannot capture a structured binding.
    auto ends = co_await unix_pair();
    auto& a = ends.first;
    auto& b = ends.second;
    auto h = fiber::spawn([&b] { return read_at_depth(b, 2000); }, {.stack_size = 4 * 1024 * 1024});
    co_await eddy::sleep_for(5ms);
    CHECK_FALSE(h.is_finished());
    co_await write_text(a, "x");
    auto r = co_await h;
    REQUIRE(r);
    CHECK(*r == 2001);
}

EDDY_TEST_CASE("10,000 fibers wait on sockets at once and each gets its byte", "[fiber]") {
    constexpr std::size_t pairs = 5000; // a fiber on each end: 10,000 fibers, 10,000 sockets
    rlimit files{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &files) == 0);
    if (files.rlim_max < 2 * pairs + 200) SKIP("the hard limit on open files is too low");
    const rlimit saved = files;
    files.rlim_cur = std::max<rlim_t>(files.rlim_cur, 2 * pairs + 200);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &files) == 0);
    {
        std::vector<unix_stream> ends;
        ends.reserve(2 * pairs);
        for (std::size_t i = 0; i < pairs; ++i) {
            auto [x, y] = unix_stream::pair().value();
            ends.push_back(std::move(x));
            ends.push_back(std::move(y));
        }
        std::size_t waiting = 0;
        std::vector<eddy::join_handle<char>> fibers;
        fibers.reserve(ends.size());
        for (auto& end : ends)
            fibers.push_back(fiber::spawn([&end, &waiting] {
                ++waiting;
                return read_byte(end);
            }));
        for (int turn = 0; turn < 1000 && waiting < ends.size(); ++turn)
            co_await eddy::sleep_for(1ms);
        REQUIRE(waiting == ends.size());
        co_await eddy::sleep_for(1ms);
        for (auto& h : fibers)
            CHECK_FALSE(h.is_finished());

        // Each end's peer gets a byte that names the end, so every fiber reads its own.
        for (std::size_t i = 0; i < ends.size(); ++i) {
            const char name[1] = {static_cast<char>('a' + i % 26)};
            co_await write_text(ends[i ^ 1], std::string_view(name, 1));
        }
        std::size_t right = 0;
        for (std::size_t i = 0; i < fibers.size(); ++i) {
            auto r = co_await eddy::timeout(patience, fibers[i]);
            if (r && *r == static_cast<char>('a' + i % 26)) ++right;
        }
        CHECK(right == fibers.size());
    }
    ::setrlimit(RLIMIT_NOFILE, &saved);
}

EDDY_TEST_CASE_WITH("a fiber receives from a channel that another core feeds", "[fiber]",
                    .cores = 2) {
    auto channel = eddy::sync::mpsc::channel<int>(8);
    auto& tx = channel.first;
    auto& rx = channel.second;
    auto consumer = fiber::spawn([&rx] {
        long sum = 0;
        while (auto v = fiber::await(rx.recv()))
            sum += *v;
        return sum;
    });
    eddy::spawn_on(1, [](eddy::sync::mpsc::sender<int> tx) -> eddy::task<> {
        for (int i = 1; i <= 1000; ++i)
            (void)co_await tx.send(i);
    }(std::move(tx)));
    auto r = co_await eddy::timeout(patience, consumer);
    REQUIRE(r);
    CHECK(*r == 500500);
}

EDDY_TEST_CASE_WITH("fiber::spawn_on runs the fiber on that core and brings its value back",
                    "[fiber]", .cores = 2) {
    auto h = fiber::spawn_on(1, [] {
        (void)fiber::sleep_for(1ms);
        const std::size_t here = eddy::current_core();
        // A task awaited in the fiber may travel; the fiber stays.
        const auto there = fiber::await(eddy::submit_to(0, [] { return eddy::current_core(); }));
        return here * 10 + there + (eddy::current_core() == 1 ? 100 : 0);
    });
    auto r = co_await eddy::timeout(patience, h);
    REQUIRE(r);
    CHECK(*r == 110);
    CHECK(eddy::current_core() == 0);
}

EDDY_TEST_CASE("a fiber awaits eddy::timeout, a task and another fiber", "[fiber]") {
    // Named, not bound: clang 14 cannot capture a structured binding.
    auto ends = co_await unix_pair();
    auto& b = ends.second;
    auto h = fiber::spawn([&b] {
        std::array<std::byte, 4> buf{};
        auto timed = fiber::await(eddy::timeout(5ms, b.read(buf)));
        const bool timed_out = !timed && timed.error().code() == eddy::errc::timed_out;
        auto inner = fiber::spawn([] {
            return fiber::await([]() -> eddy::task<int> {
                co_await eddy::sleep_for(1ms);
                co_return 7;
            }());
        });
        auto seven = fiber::await(inner);
        return timed_out && seven && *seven == 7;
    });
    auto r = co_await h;
    REQUIRE(r);
    CHECK(*r);
}

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

TEST_CASE("a fiber's stack size is checked, and so is spawn_on's core", "[fiber]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        CHECK_THROWS_AS(fiber::spawn([] {}, {.stack_size = 1024}), std::invalid_argument);
        CHECK_THROWS_AS(fiber::spawn([] {}, {.stack_size = std::size_t{1} << 40}),
                        std::invalid_argument);
        CHECK_THROWS_AS(fiber::spawn_on(3, [] {}), std::invalid_argument);
        co_return;
    }());
}

TEST_CASE("fiber::await outside a fiber stops the program with a message", "[fiber][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt;
        rt.block_on([]() -> eddy::task<> {
            (void)fiber::sleep_for(1ms);
            co_return;
        }());
    });
    CHECK(WIFSIGNALED(d.status));
    CHECK_THAT(d.stderr_text, Catch::Matchers::ContainsSubstring("outside a fiber"));
}

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
    CHECK(WIFSIGNALED(d.status));
    CHECK_THAT(d.stderr_text, Catch::Matchers::ContainsSubstring("outside a fiber"));
}
