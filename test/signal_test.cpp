// `ctrl_c()` takes SIGINT and SIGTERM, `hangup()` SIGHUP, away from the main thread for the
// rest of the process, so these tests live in their own executable.
#include "test_case.hpp"

#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/signal/ctrl_c.hpp"
#include "eddy/signal/hangup.hpp"
#include "eddy/time/sleep.hpp"

#include <catch2/catch_test_macros.hpp>

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

using namespace std::chrono_literals;

namespace {

// Signalfds the process has open: each waiting ctrl_c() holds one from before it parks.
int open_signalfds() {
    int count = 0;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
        auto target = std::filesystem::read_symlink(entry.path(), ec);
        if (!ec && target.native().find("signalfd") != std::string::npos) ++count;
    }
    return count;
}

// The signal number each waiter saw, or -1 for one still waiting after 10 s (or failed).
using outcomes = std::vector<int>;

using signal_wait = eddy::task<eddy::result<int>> (*)();

// The signal number `wait()` completes with, or -1 if it fails.
eddy::task<int> signal_of(signal_wait wait) {
    auto got = co_await wait();
    co_return got ? *got : -1;
}

// Waits until `n` signalfds are open (each waiter opens one before it parks); false if that
// takes more than 10 s.
eddy::task<bool> signalfds_open(int n) {
    const auto deadline = eddy::clock::now() + 10s;
    while (open_signalfds() < n && eddy::clock::now() < deadline)
        co_await eddy::sleep_for(1ms);
    co_return open_signalfds() >= n;
}

// Waits (at most 10 s) for `h` to finish; gives its signal number, or -1.
eddy::task<int> finished(eddy::join_handle<int>& h) {
    const auto deadline = eddy::clock::now() + 10s;
    while (!h.is_finished() && eddy::clock::now() < deadline)
        co_await eddy::sleep_for(1ms);
    co_return h.is_finished() ? h.outcome().value_or(-1) : -1;
}

// Waits for `wait()` (ctrl_c or hangup) in `waiters` tasks (the first `on_core_1` of them on
// core 1), sends `signo` to the process once they wait, and collects what each one saw.
eddy::task<outcomes> raise_while_waiting(int signo, int waiters, int on_core_1 = 0,
                                         signal_wait wait = eddy::signal::ctrl_c) {
    auto wait_on = [wait](std::size_t core) -> eddy::task<int> {
        co_await eddy::on(core);
        auto got = co_await wait();
        const bool came_home = eddy::current_core() == core;
        co_await eddy::on(0);
        co_return got&& came_home ? *got : -1;
    };
    std::vector<eddy::join_handle<int>> handles;
    for (int i = 0; i < waiters; ++i)
        handles.push_back(eddy::spawn(wait_on(i < on_core_1 ? 1 : 0)));
    // Send the signal only once every waiter waits: one too late would miss it. (ctrl_c blocks
    // the signal on this thread before it opens its signalfd, so it cannot kill the process.)
    const auto deadline = eddy::clock::now() + 10s;
    while (open_signalfds() < waiters && eddy::clock::now() < deadline)
        co_await eddy::sleep_for(1ms);
    ::kill(::getpid(), signo);

    outcomes seen;
    for (auto& h : handles) {
        while (!h.is_finished() && eddy::clock::now() < deadline)
            co_await eddy::sleep_for(1ms);
        seen.push_back(h.is_finished() ? h.outcome().value_or(-1) : -1);
    }
    co_return seen; // a waiter still waiting is canceled when the runtime goes
}

} // namespace

TEST_CASE("ctrl_c completes with SIGTERM when the process is sent SIGTERM", "[signal]") {
    eddy::runtime rt;
    CHECK(rt.block_on(raise_while_waiting(SIGTERM, 1)) == outcomes{SIGTERM});
}

TEST_CASE("ctrl_c completes with SIGINT when the process is sent SIGINT", "[signal]") {
    eddy::runtime rt;
    CHECK(rt.block_on(raise_while_waiting(SIGINT, 1)) == outcomes{SIGINT});
}

TEST_CASE("ctrl_c awaited on another core completes there", "[signal]") {
    eddy::runtime rt{{.cores = 2}};
    CHECK(rt.block_on(raise_while_waiting(SIGTERM, 1, 1)) == outcomes{SIGTERM});
}

TEST_CASE("every task waiting on ctrl_c completes when one signal comes", "[signal]") {
    eddy::runtime rt{{.cores = 2}};
    CHECK(rt.block_on(raise_while_waiting(SIGTERM, 3, 1)) == outcomes{SIGTERM, SIGTERM, SIGTERM});
}

TEST_CASE("hangup completes with SIGHUP when the process is sent SIGHUP", "[signal][hangup]") {
    eddy::runtime rt;
    CHECK(rt.block_on(raise_while_waiting(SIGHUP, 2, 0, eddy::signal::hangup)) ==
          outcomes{SIGHUP, SIGHUP});
}

TEST_CASE("hangup called before a runtime of two cores completes on both, and SIGHUP ends "
          "nothing",
          "[signal][hangup]") {
    // Before the runtime starts its threads: they inherit SIGHUP blocked. (This first call
    // is only for that; the waits are the ones below.)
    auto taken = eddy::signal::hangup();
    eddy::runtime rt{{.cores = 2}};
    CHECK(rt.block_on(raise_while_waiting(SIGHUP, 3, 2, eddy::signal::hangup)) ==
          outcomes{SIGHUP, SIGHUP, SIGHUP});
}

EDDY_TEST_CASE("a SIGHUP completes hangup and not ctrl_c, which then completes with SIGTERM",
               "[signal][hangup]") {
    auto interrupt = eddy::spawn(signal_of(eddy::signal::ctrl_c));
    auto hup = eddy::spawn(signal_of(eddy::signal::hangup));
    REQUIRE(co_await signalfds_open(2));
    ::kill(::getpid(), SIGHUP);
    const int hup_got = co_await finished(hup);
    CHECK(hup_got == SIGHUP);
    CHECK_FALSE(interrupt.is_finished());

    ::kill(::getpid(), SIGTERM);
    const int interrupt_got = co_await finished(interrupt);
    CHECK(interrupt_got == SIGTERM); // not the SIGHUP that hangup read before
}
