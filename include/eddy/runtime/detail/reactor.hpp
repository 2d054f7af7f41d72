// The epoll reactor of one core: fds registered once, edge-triggered, for every event they
// can report; an eventfd that other threads write to wake the core.
#pragma once

#include "eddy/result.hpp"

namespace eddy::detail {

class io_state;

class reactor {
  public:
    reactor();
    ~reactor();
    reactor(const reactor&) = delete;
    reactor& operator=(const reactor&) = delete;

    /// Registers `s.fd()`; fails for fds epoll cannot watch (regular files).
    result<void> add(io_state& s) noexcept;
    /// Deregisters before the fd is closed, so no event can name a freed `io_state`.
    void remove(io_state& s) noexcept;

    /// Wakes the core from `poll`; safe from any thread.
    void wake() noexcept;

    /// Waits up to `timeout_ms` (-1: until an event) and hands each event to its `io_state`.
    void poll(int timeout_ms);

  private:
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
};

} // namespace eddy::detail
