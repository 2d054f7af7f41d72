#include "eddy/net/unix_stream.hpp"

#include "connect_within.hpp"
#include "eddy/detail/retry_on_eintr.hpp"
#include "eddy/detail/unique_fd.hpp"
#include "eddy/net/detail/adopt_stream.hpp"
#include "eddy/net/detail/sockopt.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/time/sleep.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

namespace eddy::net {

namespace {

// A full listener queue: epoll cannot wait for room in it (the kernel wakes only blocking
// connectors), so connect retries after a pause that grows from 1 ms to 100 ms.
constexpr auto first_retry = std::chrono::milliseconds(1);
constexpr auto max_retry = std::chrono::milliseconds(100);

} // namespace

task<result<unix_stream>> unix_stream::connect(unix_address addr) {
    // Closed unless handed to the reactor (a cancelled connect).
    eddy::detail::unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) co_return error::from_errno(errno, addr.to_string());
    auto& sched = eddy::detail::current_scheduler();
    auto pause = first_retry;
    // A Unix connect() completes at once or fails; it never goes on in the background as
    // TCP's does. The fd joins the reactor only once connected: an unconnected Unix socket
    // reports EPOLLHUP, and that stale event would outlive the connection.
    const auto try_connect = [&] { return ::connect(fd.get(), addr.native(), addr.native_size()); };
    while (eddy::detail::retry_on_eintr(try_connect) < 0) {
        if (errno != EAGAIN) co_return error::from_errno(errno, addr.to_string());
        if (sched.stopping()) co_return errc::operation_canceled;
        co_await sleep_for(pause);
        pause = std::min(pause * 2, max_retry);
    }
    auto handle = detail::socket_handle::adopt(fd.release());
    if (!handle) co_return error(handle.error().code(), addr.to_string());
    co_return unix_stream(std::move(*handle));
}

task<result<unix_stream>> unix_stream::connect(std::string addr) {
    auto parsed = unix_address::parse(addr);
    if (!parsed) co_return std::move(parsed).error();
    auto connected = co_await connect(std::move(*parsed));
    co_return connected;
}

task<result<unix_stream>> unix_stream::connect(unix_address addr,
                                               std::chrono::steady_clock::duration limit) {
    std::string named = addr.to_string();
    return detail::connect_within(connect(std::move(addr)), limit, std::move(named));
}

task<result<unix_stream>> unix_stream::connect(std::string addr,
                                               std::chrono::steady_clock::duration limit) {
    std::string named = addr;
    return detail::connect_within(connect(std::move(addr)), limit, std::move(named));
}

result<std::pair<unix_stream, unix_stream>> unix_stream::pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) < 0)
        return error::from_errno(errno, "socketpair");
    eddy::detail::unique_fd other(fds[1]);
    auto first = detail::socket_handle::adopt(fds[0]);
    if (!first) return error(first.error().code(), "socketpair");
    auto second = detail::socket_handle::adopt(other.release());
    if (!second) return error(second.error().code(), "socketpair");
    return std::pair{unix_stream(std::move(*first)), unix_stream(std::move(*second))};
}

result<unix_address> unix_stream::local_addr() const {
    return detail::local_unix_address(handle_.fd());
}

result<unix_address> unix_stream::peer_addr() const {
    return detail::peer_unix_address(handle_.fd());
}

result<peer_credentials> unix_stream::peer_cred() const {
    return detail::peer_credentials_of(handle_.fd());
}

result<unix_stream> unix_stream::from_fd(int fd) {
    auto handle = detail::adopt_stream(fd, detail::stream_kind::unix_stream);
    if (!handle) return std::move(handle).error();
    return unix_stream(std::move(*handle));
}

} // namespace eddy::net
