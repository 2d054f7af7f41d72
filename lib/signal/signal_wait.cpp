#include "signal_wait.hpp"

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/detail/io/readiness_wait.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>

namespace eddy::signal::detail {

namespace {

// Each waiting call has its own signalfd, and a signal is read from only one of them; but a
// signal makes every signalfd whose set holds it readable at once, so all their waiters wake
// in the same loop turn. The first to run reads the signal and numbers the read here; the
// others, finding a signal of their set read since they began to wait, take that one instead
// of reading. Reads are numbered per signal so that a waiter for SIGTERM never takes a SIGHUP
// read for another waiter. (Per thread: only core 0 reads.)
thread_local std::uint64_t reads = 0;
thread_local std::array<std::uint64_t, NSIG> last_read{}; // per signal: its latest read's number

/// The signal of `signals` read last, if it was read after read number `since`; 0 otherwise.
int read_since(const sigset_t& signals, std::uint64_t since) {
    int latest = 0;
    for (int s = 1; s < NSIG; ++s) {
        if (last_read[s] > since && sigismember(&signals, s) == 1 &&
            (latest == 0 || last_read[s] > last_read[latest]))
            latest = s;
    }
    return latest;
}

void block(const sigset_t& signals) {
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

task<result<int>> wait_on_this_core(sigset_t signals) {
    // Core 0's thread is the only runtime thread that may not block these yet.
    block(signals);
    int fd = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) co_return error::from_errno(errno, "signalfd");
    auto handle = net::detail::socket_handle::adopt(fd);
    if (!handle) co_return std::move(handle).error();

    auto& readiness = handle->readiness();
    const std::uint64_t seen = reads;
    for (;;) {
        auto ready = co_await eddy::detail::readiness_wait(readiness, false);
        if (!ready) co_return std::move(ready).error();
        if (const int taken = read_since(signals, seen)) co_return taken;
        const std::uint32_t tick = readiness.tick();
        signalfd_siginfo info{};
        const ssize_t n = ::read(fd, &info, sizeof info);
        if (n == static_cast<ssize_t>(sizeof info)) {
            const int signo = static_cast<int>(info.ssi_signo);
            if (signo > 0 && signo < NSIG) last_read[signo] = ++reads;
            co_return signo;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            co_return error::from_errno(errno, "signalfd");
        readiness.clear(eddy::detail::readiness_bit::readable,
                        tick); // another waiter's read took it
    }
}

task<result<int>> wait_on_core_zero(sigset_t signals) {
    const std::size_t home = current_core();
    co_await on(0);
    auto got = co_await wait_on_this_core(signals);
    co_await on(home);
    co_return got;
}

} // namespace

task<result<int>> wait_for(const sigset_t& signals) {
    // Take the signals now, not when the task first runs, so none is missed in between.
    auto* sched = eddy::detail::current_scheduler_or_null();
    if (!sched || sched->index() == 0) block(signals);
    return wait_on_core_zero(signals);
}

} // namespace eddy::signal::detail
