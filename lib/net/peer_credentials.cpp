#include "eddy/net/peer_credentials.hpp"

#include <sys/socket.h>

namespace eddy::net::detail {

result<peer_credentials> peer_credentials_of(int fd) {
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
        return error::from_errno(errno, "SO_PEERCRED");
    return peer_credentials{.pid = cred.pid, .uid = cred.uid, .gid = cred.gid};
}

} // namespace eddy::net::detail
