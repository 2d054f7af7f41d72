// Thin, error-reporting wrappers over getsockopt/setsockopt/getsockname/getpeername.
#pragma once

#include "eddy/detail/unique_fd.hpp"
#include "eddy/net/socket_address.hpp"
#include "eddy/net/unix_address.hpp"
#include "eddy/result.hpp"

#include <string_view>
#include <sys/socket.h>
#include <utility>

namespace eddy::net::detail {

/// `errc::invalid_address` for address text that cannot be used: "'TEXT' (why)", with a NUL
/// byte of TEXT written "\0".
error invalid_address(std::string_view text, std::string_view why);

/// A new non-blocking socket of `type` (SOCK_STREAM, SOCK_DGRAM) bound to `addr`, with
/// SO_REUSEADDR / SO_REUSEPORT set first when asked: its fd, or the error naming `addr`.
result<eddy::detail::unique_fd> bound_socket(const socket_address& addr, int type, bool reuse_addr,
                                             bool reuse_port);

result<void> set_int_option(int fd, int level, int name, int value, const char* what);
result<int> get_int_option(int fd, int level, int name, const char* what);
/// getsockname (or getpeername with `peer`) into `out`; gives the address's length.
result<socklen_t> socket_name(int fd, bool peer, sockaddr_storage& out);

/// The fd's own address (or its peer's) as an `Address` (`socket_address`, `unix_address`).
template <class Address> result<Address> socket_name_as(int fd, bool peer) {
    sockaddr_storage ss{};
    auto size = socket_name(fd, peer, ss);
    if (!size) return std::move(size).error();
    return Address::from_native(reinterpret_cast<const sockaddr*>(&ss), *size);
}

inline result<socket_address> local_address(int fd) {
    return socket_name_as<socket_address>(fd, false);
}
inline result<socket_address> peer_address(int fd) {
    return socket_name_as<socket_address>(fd, true);
}
inline result<unix_address> local_unix_address(int fd) {
    return socket_name_as<unix_address>(fd, false);
}
inline result<unix_address> peer_unix_address(int fd) {
    return socket_name_as<unix_address>(fd, true);
}

} // namespace eddy::net::detail
