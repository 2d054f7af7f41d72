#include "eddy/net/unix_datagram.hpp"

#include "eddy/detail/unique_fd.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace eddy::net {

namespace {

constexpr int socket_flags = SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC;

result<detail::socket_handle> adopt(int fd, const std::string& where) {
    auto handle = detail::socket_handle::adopt(fd);
    if (!handle) return error(handle.error().code(), where);
    return handle;
}

error bind_error(int err, const unix_address& addr) {
    std::string where = addr.to_string();
    // For a path, EADDRINUSE means the kernel found a file there (often a socket left by a
    // process that is gone); unlinking it silently could steal a live server's address.
    if (err == EADDRINUSE && addr.is_path()) where.append(" (a file exists there)");
    return error::from_errno(err, std::move(where));
}

} // namespace

result<unix_datagram> unix_datagram::bind(const unix_address& addr) {
    eddy::detail::unique_fd fd(::socket(AF_UNIX, socket_flags, 0));
    if (!fd.valid()) return error::from_errno(errno, addr.to_string());
    if (::bind(fd.get(), addr.native(), addr.native_size()) < 0) return bind_error(errno, addr);
    auto handle = adopt(fd.release(), addr.to_string());
    if (!handle) return std::move(handle).error();
    return unix_datagram(std::move(*handle));
}

result<unix_datagram> unix_datagram::bind(std::string_view addr) {
    auto parsed = unix_address::parse(addr);
    if (!parsed) return std::move(parsed).error();
    return bind(*parsed);
}

result<unix_datagram> unix_datagram::unbound() {
    int fd = ::socket(AF_UNIX, socket_flags, 0);
    if (fd < 0) return error::from_errno(errno, "unix datagram socket");
    auto handle = adopt(fd, "unix datagram socket");
    if (!handle) return std::move(handle).error();
    return unix_datagram(std::move(*handle));
}

result<std::pair<unix_datagram, unix_datagram>> unix_datagram::pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, socket_flags, 0, fds) < 0)
        return error::from_errno(errno, "unix datagram socketpair");
    eddy::detail::unique_fd other(fds[1]);
    auto first = adopt(fds[0], "unix datagram socketpair");
    if (!first) return std::move(first).error();
    auto second = adopt(other.release(), "unix datagram socketpair");
    if (!second) return std::move(second).error();
    return std::pair{unix_datagram(std::move(*first)), unix_datagram(std::move(*second))};
}

result<void> unix_datagram::connect(const unix_address& addr) {
    if (::connect(handle_.fd(), addr.native(), addr.native_size()) < 0)
        return error::from_errno(errno, addr.to_string());
    return {};
}

result<peer_credentials> unix_datagram::peer_cred() const {
    return detail::peer_credentials_of(handle_.fd());
}

} // namespace eddy::net
