// Stackful fibers (eddy/fiber.hpp): blocking-style code on its own stack that waits on
// eddy's sockets, timers, channels and tasks; spawned on a core, joined, checked.
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

/// Recurses `depth` frames, then reads a byte at the bottom; each frame adds its own byte.
std::size_t read_at_depth(unix_stream& s, int depth) {
    volatile char frame_data[64] = {};
    frame_data[0] = static_cast<char>(depth);
    if (depth == 0) return static_cast<std::size_t>(read_byte(s) == 'x');
    return read_at_depth(s, depth - 1) +
           static_cast<std::size_t>(frame_data[0] == static_cast<char>(depth));
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
    INFO(d.stderr_text);
    CHECK(stopped_abnormally(d.status));
    CHECK_THAT(d.stderr_text, Catch::Matchers::ContainsSubstring("outside a fiber"));
}
