#include "eddy/signal/ctrl_c.hpp"

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/detail/io_awaiters.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>

namespace eddy::signal {

namespace {

// Each waiting ctrl_c() has its own signalfd, and a signal is read from only one of them;
// but a signal makes every one of them readable at once, so all their waiters wake in the
// same loop turn. The first to run reads the signal and counts it here; the others, finding
// the count moved, take that signal instead of reading. (Per thread: only core 0 reads.)
thread_local std::uint64_t signals_read = 0;
thread_local int last_signal = 0;

sigset_t termination_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    return set;
}

// Core 0's thread is the only runtime thread that does not block these signals; blocking
// them there too makes them queue for the signalfd instead of terminating the process.
void block_termination_signals() {
    const sigset_t set = termination_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

task<result<int>> wait_on_this_core() {
    block_termination_signals();
    const sigset_t set = termination_signals();
    int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) co_return error::from_errno(errno, "signalfd");
    auto handle = net::detail::socket_handle::adopt(fd);
    if (!handle) co_return std::move(handle).error();

    auto& state = handle->state();
    const std::uint64_t seen = signals_read;
    for (;;) {
        auto ready = co_await eddy::detail::readiness_wait(state, false);
        if (!ready) co_return std::move(ready).error();
        if (signals_read != seen) co_return last_signal;
        const std::uint32_t tick = state.tick();
        signalfd_siginfo info{};
        const ssize_t n = ::read(fd, &info, sizeof info);
        if (n == static_cast<ssize_t>(sizeof info)) {
            ++signals_read;
            last_signal = static_cast<int>(info.ssi_signo);
            co_return last_signal;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            co_return error::from_errno(errno, "signalfd");
        state.clear(eddy::detail::readable, tick); // another waiter's read took it
    }
}

task<result<int>> wait_on_core_zero() {
    const std::size_t home = current_core();
    co_await on(0);
    auto got = co_await wait_on_this_core();
    co_await on(home);
    co_return got;
}

} // namespace

task<result<int>> ctrl_c() {
    // Called on core 0's thread (or on the thread that will be core 0, before the runtime
    // runs): take the signals now, not when the task first runs, so none is missed between.
    auto* sched = eddy::detail::current_scheduler_or_null();
    if (!sched || sched->index() == 0) block_termination_signals();
    return wait_on_core_zero();
}

} // namespace eddy::signal
