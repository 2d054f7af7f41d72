#include "eddy/signal/ctrl_c.hpp"

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/detail/io_awaiters.hpp"

#include <pthread.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <csignal>

namespace eddy::signal {

namespace {

struct read_siginfo {
    signalfd_siginfo* info;
    ssize_t operator()(int fd) const noexcept { return ::read(fd, info, sizeof *info); }
    std::size_t size() const noexcept { return sizeof *info; }
};

constexpr eddy::detail::io_direction siginfo_read{.write = false, .short_means_drained = false};

task<result<int>> wait_on_this_core() {
    // Core 0's thread is the only runtime thread that does not block these signals; block
    // them here too, so they queue for the signalfd instead of terminating the process.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    int fd = ::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) co_return error::from_errno(errno, "signalfd");
    auto handle = net::detail::socket_handle::adopt(fd);
    if (!handle) co_return std::move(handle).error();

    signalfd_siginfo info{};
    auto n = co_await eddy::detail::io_operation<read_siginfo>(handle->state(),
                                                               read_siginfo{&info}, siginfo_read);
    if (!n) co_return std::move(n).error();
    co_return static_cast<int>(info.ssi_signo);
}

} // namespace

task<result<int>> ctrl_c() {
    const std::size_t home = current_core();
    co_await on(0);
    auto got = co_await wait_on_this_core();
    co_await on(home);
    co_return got;
}

} // namespace eddy::signal
