// The sockets eddy-loadgen drives: an owning descriptor, an epoll set, and the opening of
// many TCP connections at once within a time limit.
//
//     auto opened = loadgen::open_connections(opts, opts.conns);
//     // opened.sockets: connected, non-blocking, TCP_NODELAY; opened.failures: the rest
#pragma once

#include "options.hpp"

#include <sys/epoll.h>

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace loadgen {

/// Owns a file descriptor; closes it when destroyed or reset.
class owned_fd {
  public:
    owned_fd() = default;
    explicit owned_fd(int fd) : fd_(fd) {}
    owned_fd(owned_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    owned_fd& operator=(owned_fd&& other) noexcept {
        reset(std::exchange(other.fd_, -1));
        return *this;
    }
    owned_fd(const owned_fd&) = delete;
    owned_fd& operator=(const owned_fd&) = delete;
    ~owned_fd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset(int fd = -1);

  private:
    int fd_ = -1;
};

/// An epoll set whose entries carry a 32-bit index.
class epoll_set {
  public:
    epoll_set();
    /// Adds `fd` with `events`; false (errno set) if epoll refuses it.
    bool add(int fd, std::uint32_t events, std::uint32_t index);
    void remove(int fd);
    /// Waits at most `timeout_ms` (0: poll); gives the ready entries.
    std::span<const epoll_event> wait(int timeout_ms);

  private:
    owned_fd fd_;
    std::vector<epoll_event> ready_;
};

/// Milliseconds from now until `deadline_ns` (rounded up), 0 once it has passed.
int millis_until(std::uint64_t deadline_ns);

struct opened_connections {
    std::vector<owned_fd> sockets; ///< connected, in the order they were asked for
    int failures = 0;              ///< refused, failed, or not connected within the limit
};

/// Opens `count` TCP connections to the server of `opts`, a bounded number in flight at a
/// time, within opts.connect_timeout seconds. The first failure is reported on stderr.
opened_connections open_connections(const options& opts, int count);

/// A non-blocking UDP socket connected to the server of `opts`; an empty one on failure
/// (reported on stderr).
owned_fd connected_udp_socket(const options& opts);

/// Prints "eddy-loadgen: WHAT" on stderr, the first few times only.
void complain(const char* what);
/// Makes complain() print nothing (probe: a refused try is expected while a server starts).
void stop_complaining();

} // namespace loadgen
