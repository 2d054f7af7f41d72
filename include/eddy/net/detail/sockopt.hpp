// Thin, error-reporting wrappers over getsockopt/setsockopt/getsockname/getpeername.
#pragma once

#include "eddy/detail/unique_fd.hpp"
#include "eddy/net/socket_address.hpp"
#include "eddy/net/unix_address.hpp"
#include "eddy/result.hpp"

#include <string_view>

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
result<socket_address> local_address(int fd);
result<socket_address> peer_address(int fd);
result<unix_address> local_unix_address(int fd);
result<unix_address> peer_unix_address(int fd);

} // namespace eddy::net::detail
