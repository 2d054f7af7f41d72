// The epoll reactor of one core: fds registered once, edge-triggered, for every event they
// can report; an eventfd that other threads write to wake the core.
#pragma once

#include "eddy/detail/unique_fd.hpp"
#include "eddy/result.hpp"

namespace eddy::detail {

class fd_readiness;

class reactor {
  public:
    reactor();
    ~reactor();
    reactor(const reactor&) = delete;
    reactor& operator=(const reactor&) = delete;

    /// Registers `f.fd()`; fails for fds epoll cannot watch (regular files).
    result<void> add(fd_readiness& f) noexcept;
    /// Deregisters before the fd is closed, so no event can name a freed `fd_readiness`.
    void remove(fd_readiness& f) noexcept;

    /// Wakes the core from `poll`; safe from any thread.
    void wake() noexcept;

    /// Waits up to `timeout_ms` (-1: until an event) and hands each event to its `fd_readiness`.
    void poll(int timeout_ms);

  private:
    unique_fd epoll_fd_;
    unique_fd wake_fd_;
};

} // namespace eddy::detail
