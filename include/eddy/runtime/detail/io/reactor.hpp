// The epoll reactor of one core: fds registered once, edge-triggered, for every event they
// can report, and the eventfd that other threads write to wake the core (its mailbox's, which
// owns it: see core_mailbox.hpp).
#pragma once

#include "eddy/detail/unique_fd.hpp"
#include "eddy/result.hpp"

namespace eddy::detail {

class fd_readiness;

class reactor {
  public:
    /// Watches `wake_fd` (which stays its owner's) to be woken.
    explicit reactor(int wake_fd);
    ~reactor();
    reactor(const reactor&) = delete;
    reactor& operator=(const reactor&) = delete;

    /// Registers `f.fd()`; fails for fds epoll cannot watch (regular files).
    result<void> add(fd_readiness& f) noexcept;
    /// Deregisters before the fd is closed, so no event can name a freed `fd_readiness`.
    void remove(fd_readiness& f) noexcept;

    /// Waits up to `timeout_ms` (-1: until an event) and hands each event to its `fd_readiness`.
    void poll(int timeout_ms);

  private:
    unique_fd epoll_fd_;
    int wake_fd_;
};

} // namespace eddy::detail
