#include "eddy/net/tcp_listener.hpp"

#include "eddy/net/detail/accept.hpp"
#include "eddy/net/detail/sockopt.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace eddy::net {

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
    auto accepted = co_await detail::accept_connection(handle_);
    if (!accepted) co_return std::move(accepted).error();
    co_return tcp_stream(std::move(*accepted));
}

result<socket_address> tcp_listener::local_addr() const {
    return detail::local_address(handle_.fd());
}

} // namespace eddy::net
