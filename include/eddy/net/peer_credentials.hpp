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

struct peer_credentials {
    pid_t pid;
    uid_t uid;
    gid_t gid;

    friend bool operator==(const peer_credentials&, const peer_credentials&) = default;
};

namespace detail {

/// SO_PEERCRED of the Unix socket `fd`. Errors: the system's, with context "SO_PEERCRED"
/// (EBADF, ENOTSOCK). A socket that was never connected has no peer: pid 0, ids -1.
result<peer_credentials> peer_credentials_of(int fd);

} // namespace detail

} // namespace eddy::net
