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

} // namespace eddy::net::detail
