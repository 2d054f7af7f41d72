#include "eddy/net/detail/accept.hpp"

#include "eddy/runtime/detail/io/readiness_wait.hpp"
#include "eddy/runtime/detail/log.hpp"
#include "eddy/runtime/yield_now.hpp"
#include "eddy/time/sleep.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <chrono>

namespace eddy::net::detail {

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

task<result<socket_handle>> accept_connection(const socket_handle& listener) {
    auto& sched = listener.readiness().owner();
    auto backoff = first_backoff;
    for (;;) {
        if (sched.stopping()) co_return errc::operation_canceled;
        // The listener may have been closed while this task was queued to resume.
        if (!listener.valid()) co_return errc::operation_canceled;
        auto& readiness = listener.readiness();
        // A listener flooded with connections must still let its connections run. Yield
        // before accept4, so a cancelled accept has taken no connection.
        if (!sched.coop_consume()) co_await yield_now();
        const auto tick = readiness.tick();
        int fd = ::accept4(listener.fd(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) co_return socket_handle::adopt(fd);
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            namespace bit = eddy::detail::readiness_bit;
            readiness.clear(bit::readable | bit::error, tick);
            auto ready = co_await eddy::detail::readiness_wait(readiness, false);
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

} // namespace eddy::net::detail
