// `peer_credentials`: who is on the other end of a connected Unix socket - the process, user
// and group ids the kernel recorded when the connection was made (SO_PEERCRED), so a server
// can decide what a local client may do without asking it.
//
//     auto cred = stream.peer_cred();
//     if (!cred || cred->uid != ::getuid()) co_return;    // only our own user may talk to us
//
// For a connection a listener accepted, the server sees the client's ids at connect() and
// the client sees the server's ids at listen(); for a `pair()`, each end sees its creator.
#pragma once

#include "eddy/result.hpp"

#include <sys/types.h>

namespace eddy::net {

/// The ids the kernel recorded for the peer of a Unix socket (SO_PEERCRED), from
/// `unix_stream::peer_cred` or `unix_datagram::peer_cred`. Where it recorded none (a socket
/// that was never connected, or a datagram socket not made by `pair()`), pid is 0 and the
/// ids are -1.
struct peer_credentials {
    pid_t pid; ///< the peer's process id
    uid_t uid; ///< its effective user id
    gid_t gid; ///< its effective group id

    /// Equal when all three ids are.
    friend bool operator==(const peer_credentials&, const peer_credentials&) = default;
};

namespace detail {

/// SO_PEERCRED of the Unix socket `fd`. Errors: the system's, with context "SO_PEERCRED"
/// (EBADF, ENOTSOCK). A socket that was never connected has no peer: pid 0, ids -1.
result<peer_credentials> peer_credentials_of(int fd);

} // namespace detail

} // namespace eddy::net
