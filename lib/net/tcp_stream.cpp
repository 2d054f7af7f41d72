#include "eddy/net/tcp_stream.hpp"

#include "connect_within.hpp"
#include "eddy/detail/unique_fd.hpp"
#include "eddy/net/detail/adopt_stream.hpp"
#include "eddy/net/detail/sockopt.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace eddy::net {

task<result<tcp_stream>> tcp_stream::connect(socket_address addr) {
    eddy::detail::unique_fd fd(
        ::socket(addr.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) co_return error::from_errno(errno, addr.to_string());
    // connect() before registering: a TCP socket not yet connecting reports EPOLLHUP, and
    // that stale event would read as "connected".
    if (::connect(fd.get(), addr.native(), addr.native_size()) < 0 && errno != EINPROGRESS)
        co_return error::from_errno(errno, addr.to_string());
    auto handle = detail::socket_handle::adopt(fd.release());
    if (!handle) co_return std::move(handle).error();

    // Writable means the handshake ended, one way or the other; SO_ERROR says which.
    auto ready = co_await eddy::detail::readiness_wait(handle->readiness(), true);
    if (!ready) co_return std::move(ready).error();
    int err = 0;
    socklen_t len = sizeof err;
    if (::getsockopt(handle->fd(), SOL_SOCKET, SO_ERROR, &err, &len) < 0) err = errno;
    if (err != 0) co_return error::from_errno(err, addr.to_string());
    co_return tcp_stream(std::move(*handle));
}

task<result<tcp_stream>> tcp_stream::connect(std::string host_port) {
    auto addrs = co_await resolve(host_port);
    if (!addrs) co_return std::move(addrs).error();
    error last;
    for (const auto& a : *addrs) {
        auto s = co_await connect(a);
        if (s) co_return s;
        last = std::move(s).error();
    }
    co_return last;
}

task<result<tcp_stream>> tcp_stream::connect(socket_address addr,
                                             std::chrono::steady_clock::duration limit) {
    std::string named = addr.to_string();
    return detail::connect_within(connect(addr), limit, std::move(named));
}

task<result<tcp_stream>> tcp_stream::connect(std::string host_port,
                                             std::chrono::steady_clock::duration limit) {
    std::string named = host_port;
    return detail::connect_within(connect(std::move(host_port)), limit, std::move(named));
}

result<socket_address> tcp_stream::local_addr() const {
    return detail::local_address(handle_.fd());
}

result<socket_address> tcp_stream::peer_addr() const {
    return detail::peer_address(handle_.fd());
}

result<void> tcp_stream::set_nodelay(bool on) {
    return detail::set_int_option(handle_.fd(), IPPROTO_TCP, TCP_NODELAY, on ? 1 : 0,
                                  "TCP_NODELAY");
}

result<bool> tcp_stream::nodelay() const {
    auto v = detail::get_int_option(handle_.fd(), IPPROTO_TCP, TCP_NODELAY, "TCP_NODELAY");
    if (!v) return std::move(v).error();
    return *v != 0;
}

result<void> tcp_stream::set_keepalive(bool on, std::optional<std::chrono::seconds> idle) {
    auto r =
        detail::set_int_option(handle_.fd(), SOL_SOCKET, SO_KEEPALIVE, on ? 1 : 0, "SO_KEEPALIVE");
    if (!r || !on || !idle) return r;
    return detail::set_int_option(handle_.fd(), IPPROTO_TCP, TCP_KEEPIDLE,
                                  static_cast<int>(idle->count()), "TCP_KEEPIDLE");
}

result<tcp_stream> tcp_stream::from_fd(int fd) {
    auto handle = detail::adopt_stream(fd, detail::stream_kind::tcp);
    if (!handle) return std::move(handle).error();
    return tcp_stream(std::move(*handle));
}

} // namespace eddy::net
