// Thin, error-reporting wrappers over getsockopt/setsockopt/getsockname/getpeername.
#pragma once

#include "eddy/net/socket_address.hpp"
#include "eddy/net/unix_address.hpp"
#include "eddy/result.hpp"

namespace eddy::net::detail {

result<void> set_int_option(int fd, int level, int name, int value, const char* what);
result<int> get_int_option(int fd, int level, int name, const char* what);
result<socket_address> local_address(int fd);
result<socket_address> peer_address(int fd);
result<unix_address> local_unix_address(int fd);
result<unix_address> peer_unix_address(int fd);

} // namespace eddy::net::detail
