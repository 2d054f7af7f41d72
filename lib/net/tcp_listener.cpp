#include "eddy/net/tcp_listener.hpp"

#include "eddy/net/detail/sockopt.hpp"
#include "eddy/runtime/detail/log.hpp"
#include "eddy/runtime/yield_now.hpp"
#include "eddy/time/sleep.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace eddy::net {

namespace {

// Out of fds (or memory): wait before the next try instead of spinning on an error that
// only goes away when connections close. Grows from 10 ms to 1 s.
constexpr auto first_backoff = std::chrono::milliseconds(10);
constexpr auto max_backoff = std::chrono::milliseconds(1000);

std::atomic<bool> warned_out_of_fds{false};

bool is_transient(int err) {
    switch (err) {
    case ECONNABORTED: // the peer gave up before we took it
    case EINTR:
    case EPROTO:
    case EPERM: // refused by a firewall rule
    case ENETDOWN:
    case ENOPROTOOPT:
    case EHOSTDOWN:
    case ENONET:
    case EHOSTUNREACH:
    case EOPNOTSUPP:
    case ENETUNREACH: return true;
    default: return false;
    }
}

bool is_resource_shortage(int err) {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

} // namespace

result<tcp_listener> tcp_listener::bind(const socket_address& addr, tcp_listener_options opts) {
    const std::string where = addr.to_string();
    int fd = ::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return error::from_errno(errno, where);
    auto fail = [&](int err) -> error {
        ::close(fd);
        return error::from_errno(err, where);
    };
    int one = 1;
    if (opts.reuse_addr && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0)
        return fail(errno);
    if (opts.reuse_port && ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        return fail(errno);
    if (::bind(fd, addr.native(), addr.native_size()) < 0) return fail(errno);
    if (::listen(fd, opts.backlog) < 0) return fail(errno);
    auto handle = detail::socket_handle::adopt(fd);
    if (!handle) return error(handle.error().code(), where);
    return tcp_listener(std::move(*handle));
}

result<tcp_listener> tcp_listener::bind(std::string_view addr, tcp_listener_options opts) {
    auto parsed = socket_address::parse(addr);
    if (!parsed) return std::move(parsed).error();
    return bind(*parsed, opts);
}

task<result<tcp_stream>> tcp_listener::accept() {
    auto& state = handle_.state();
    auto& sched = state.owner();
    auto backoff = first_backoff;
    for (;;) {
        if (sched.stopping()) co_return errc::operation_canceled;
        // A listener flooded with connections must still let its connections run. Yield
        // before accept4, so a cancelled accept has taken no connection.
        if (!sched.coop_consume()) co_await yield_now();
        const auto tick = state.tick();
        int fd = ::accept4(handle_.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            auto h = detail::socket_handle::adopt(fd);
            if (!h) co_return std::move(h).error();
            co_return tcp_stream(std::move(*h));
        }
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            state.clear(eddy::detail::readable, tick);
            auto ready = co_await eddy::detail::readiness_wait(state, false);
            if (!ready) co_return std::move(ready).error();
        } else if (is_resource_shortage(err)) {
            if (!warned_out_of_fds.exchange(true))
                eddy::detail::log().warn("accept: {} (backing off; logged once)",
                                         std::error_code(err, std::system_category()).message());
            co_await sleep_for(backoff);
            backoff = std::min(backoff * 2, max_backoff);
        } else if (!is_transient(err)) {
            co_return error::from_errno(err, "accept");
        }
    }
}

result<socket_address> tcp_listener::local_addr() const {
    return detail::local_address(handle_.fd());
}

} // namespace eddy::net
