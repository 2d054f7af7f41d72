#include "eddy/net/tcp_listener.hpp"

#include "eddy/net/detail/accept.hpp"
#include "eddy/net/detail/sockopt.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace eddy::net {

result<tcp_listener> tcp_listener::bind(const socket_address& addr, tcp_listener_options opts) {
    auto fd = detail::bound_socket(addr, SOCK_STREAM, opts.reuse_addr, opts.reuse_port);
    if (!fd) return std::move(fd).error();
    if (::listen(fd->get(), opts.backlog) < 0) return error::from_errno(errno, addr.to_string());
    auto handle = detail::socket_handle::adopt(fd->release());
    if (!handle) return error(handle.error().code(), addr.to_string());
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
