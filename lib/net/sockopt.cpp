#include "eddy/net/detail/sockopt.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace eddy::net::detail {

error invalid_address(std::string_view text, std::string_view why) {
    std::string context("'");
    // A NUL byte is written "\0": printed with c_str() the message would end at it.
    for (const char c : text) {
        if (c == '\0')
            context.append("\\0");
        else
            context.push_back(c);
    }
    context.append("' (").append(why).append(")");
    return error(errc::invalid_address, std::move(context));
}

result<eddy::detail::unique_fd> bound_socket(const socket_address& addr, int type, bool reuse_addr,
                                             bool reuse_port) {
    eddy::detail::unique_fd fd(::socket(addr.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return error::from_errno(errno, addr.to_string());
    const int one = 1;
    const int s = fd.get();
    const bool bound =
        (!reuse_addr || ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0) &&
        (!reuse_port || ::setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == 0) &&
        ::bind(s, addr.native(), addr.native_size()) == 0;
    if (!bound) return error::from_errno(errno, addr.to_string());
    return fd;
}

result<void> set_int_option(int fd, int level, int name, int value, const char* what) {
    if (::setsockopt(fd, level, name, &value, sizeof value) < 0)
        return error::from_errno(errno, what);
    return {};
}

result<int> get_int_option(int fd, int level, int name, const char* what) {
    int value = 0;
    socklen_t len = sizeof value;
    if (::getsockopt(fd, level, name, &value, &len) < 0) return error::from_errno(errno, what);
    return value;
}

result<socklen_t> socket_name(int fd, bool peer, sockaddr_storage& out) {
    socklen_t size = sizeof out;
    auto* addr = reinterpret_cast<sockaddr*>(&out);
    if (peer ? ::getpeername(fd, addr, &size) : ::getsockname(fd, addr, &size))
        return error::from_errno(errno, peer ? "getpeername" : "getsockname");
    return size;
}

} // namespace eddy::net::detail
