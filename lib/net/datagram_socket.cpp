#include "eddy/net/datagram_socket.hpp"

#include <cerrno>
#include <string>

namespace eddy::net::detail {

error truncated(std::size_t datagram_size, std::size_t buffer_size) {
    std::string context = "datagram of ";
    context.append(std::to_string(datagram_size))
        .append(" bytes into a buffer of ")
        .append(std::to_string(buffer_size));
    return error(errc::message_truncated, std::move(context));
}

error naming(error e, std::string destination) {
    if (!e.context().empty()) return e;
    return error(e.code(), std::move(destination));
}

result<socklen_t> socket_name(int fd, bool peer, sockaddr_storage& out) {
    socklen_t size = sizeof out;
    auto* addr = reinterpret_cast<sockaddr*>(&out);
    if (peer ? ::getpeername(fd, addr, &size) : ::getsockname(fd, addr, &size))
        return error::from_errno(errno, peer ? "getpeername" : "getsockname");
    return size;
}

} // namespace eddy::net::detail
