// Taking in an fd that a user hands to a stream's `from_fd`: it must be the kind of socket
// the stream is, it must not belong to a socket of this core already, and it becomes
// non-blocking (a blocking fd would stop the whole core in its first read).
#pragma once

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/result.hpp"

namespace eddy::net::detail {

/// The kinds of connected stream socket a stream type takes.
enum class stream_kind {
    tcp,         ///< AF_INET or AF_INET6, SOCK_STREAM, IPPROTO_TCP
    unix_stream, ///< AF_UNIX, SOCK_STREAM
};

/// Registers `fd` on the calling core if it is a `kind` socket that does not listen, and
/// sets O_NONBLOCK on it. On error the fd is left as it was, open and the caller's:
/// `errc::invalid_argument` saying what the fd is ("not a TCP socket: fd 7 is a pipe");
/// `std::errc::file_exists` when a socket of this core owns it already; the system's error
/// (EBADF...) naming the fd.
result<socket_handle> adopt_stream(int fd, stream_kind kind);

} // namespace eddy::net::detail
