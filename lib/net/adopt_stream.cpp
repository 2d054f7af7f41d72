#include "eddy/net/detail/adopt_stream.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <string>

namespace eddy::net::detail {

namespace {

std::string fd_words(int fd) {
    return std::string("fd ").append(std::to_string(fd));
}

struct socket_facts {
    int domain = 0;
    int type = 0;
    int protocol = 0;
    bool listening = false;
};

/// What the kernel says the socket is; ENOTSOCK for an fd that is no socket.
result<socket_facts> facts_of(int fd) {
    const auto get = [fd](int name, int& out) {
        socklen_t len = sizeof out;
        return ::getsockopt(fd, SOL_SOCKET, name, &out, &len) == 0;
    };
    socket_facts f;
    int listening = 0;
    if (!get(SO_TYPE, f.type) || !get(SO_DOMAIN, f.domain) || !get(SO_PROTOCOL, f.protocol) ||
        !get(SO_ACCEPTCONN, listening))
        return error::from_errno(errno, fd_words(fd));
    f.listening = listening != 0;
    return f;
}

bool is_kind(const socket_facts& f, stream_kind kind) {
    if (f.type != SOCK_STREAM) return false;
    if (kind == stream_kind::unix_stream) return f.domain == AF_UNIX;
    return (f.domain == AF_INET || f.domain == AF_INET6) && f.protocol == IPPROTO_TCP;
}

const char* kind_words(stream_kind kind) {
    return kind == stream_kind::tcp ? "TCP socket" : "Unix stream socket";
}

/// A socket in words: "a UDP socket", "a Unix datagram socket"...
std::string socket_words(const socket_facts& f) {
    const bool ip = f.domain == AF_INET || f.domain == AF_INET6;
    if (ip && f.type == SOCK_STREAM && f.protocol == IPPROTO_TCP) return "a TCP socket";
    if (ip && f.type == SOCK_DGRAM && f.protocol == IPPROTO_UDP) return "a UDP socket";
    if (ip && f.type == SOCK_RAW) return "a raw IP socket";
    if (ip) return "an IP socket of protocol " + std::to_string(f.protocol);
    if (f.domain == AF_UNIX && f.type == SOCK_STREAM) return "a Unix stream socket";
    if (f.domain == AF_UNIX && f.type == SOCK_DGRAM) return "a Unix datagram socket";
    if (f.domain == AF_UNIX && f.type == SOCK_SEQPACKET) return "a Unix seqpacket socket";
    return "a socket of address family " + std::to_string(f.domain);
}

/// An fd that is no socket, in words, from its file type.
const char* file_words(mode_t mode) {
    switch (mode & S_IFMT) {
    case S_IFIFO: return "a pipe";
    case S_IFREG: return "a regular file";
    case S_IFDIR: return "a directory";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    default: return "not a socket"; // eventfd, epoll, timerfd...: anonymous inodes
    }
}

error refusal(int fd, std::string_view wanted, std::string_view what) {
    std::string context("not ");
    context.append(wanted).append(": ").append(fd_words(fd)).append(" is ").append(what);
    return error(errc::invalid_argument, std::move(context));
}

/// Nothing when `fd` is a `kind` socket that does not listen; otherwise the error saying
/// what it is.
result<void> check_kind(int fd, stream_kind kind) {
    const std::string wanted = std::string("a ").append(kind_words(kind));
    auto facts = facts_of(fd);
    if (!facts) {
        if (facts.error() != std::errc::not_a_socket) return std::move(facts).error();
        struct stat st {};
        if (::fstat(fd, &st) < 0) return error::from_errno(errno, fd_words(fd));
        return refusal(fd, wanted, file_words(st.st_mode));
    }
    if (!is_kind(*facts, kind)) return refusal(fd, wanted, socket_words(*facts));
    if (facts->listening)
        return refusal(fd, std::string("a connected ").append(kind_words(kind)),
                       std::string("a listening ").append(kind_words(kind)));
    return {};
}

} // namespace

result<socket_handle> adopt_stream(int fd, stream_kind kind) {
    if (auto checked = check_kind(fd, kind); !checked) return std::move(checked).error();
    auto handle = socket_handle::try_adopt(fd);
    if (!handle) {
        // epoll_ctl's EEXIST: the fd is in this core's reactor, so another socket owns it.
        if (handle.error() == std::errc::file_exists)
            return error(handle.error().code(),
                         fd_words(fd).append(" already belongs to a socket on this core"));
        return error(handle.error().code(), fd_words(fd));
    }
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || ((flags & O_NONBLOCK) == 0 && ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)) {
        const int err = errno;
        (void)handle->release(); // deregistered, and still the caller's
        return error::from_errno(err, fd_words(fd));
    }
    return handle;
}

} // namespace eddy::net::detail
