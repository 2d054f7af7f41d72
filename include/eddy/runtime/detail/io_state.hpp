// What a core knows about one file descriptor: the readiness the kernel reported and the at
// most one reader and one writer waiting on it.
//
// The fd is registered once, edge-triggered, with `data.ptr` pointing here. Readiness bits
// are set by events and cleared by operations that saw EAGAIN (or a short read/write);
// `tick` counts events so an operation clears only the readiness it observed. Read-closed
// is never cleared: after it every read returns at once. Error readiness is used up by the
// operation that reports the error, or cleared with the rest by an EAGAIN (a datagram
// socket's ICMP error is reported once, then the socket waits again).
#pragma once

#include "eddy/runtime/detail/intrusive_list.hpp"
#include "eddy/runtime/detail/misuse.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"

#include <cstdint>

namespace eddy::detail {

class scheduler;
class io_state;

enum readiness : std::uint8_t {
    readable = 1,
    writable = 2,
    read_closed = 4,
    io_error = 8,
};

/// An operation parked on an fd. `retry` runs on readiness, in the reactor: it performs the
/// operation and returns true when it finished (then the coroutine is queued to run), or
/// false when it hit EAGAIN again and keeps waiting. A null `retry` waits for readiness only.
class io_waiter {
  public:
    ready_node node;
    bool (*retry)(io_waiter*) = nullptr;
    /// The fd waited on; null once the wait was cancelled (the fd may be gone by then).
    io_state* state = nullptr;
    /// Set when the wait ended without the operation: runtime stop, or the fd went away.
    bool canceled = false;
};

class io_state : public list_hook {
  public:
    io_state(scheduler& owner, int fd) noexcept : owner_(&owner), fd_(fd) {}
    io_state(const io_state&) = delete;
    io_state& operator=(const io_state&) = delete;
    /// Wakes any waiter with `canceled` set: an fd closed under a waiting operation.
    ~io_state();

    int fd() const noexcept { return fd_; }
    scheduler& owner() const noexcept { return *owner_; }

    bool read_ready() const noexcept { return ready_ & (readable | read_closed | io_error); }
    bool write_ready() const noexcept { return ready_ & (writable | io_error); }
    std::uint32_t tick() const noexcept { return tick_; }

    /// Forgets `bits` unless an event arrived since `seen_tick` was read.
    void clear(unsigned bits, std::uint32_t seen_tick) noexcept {
        if (tick_ == seen_tick) ready_ &= static_cast<std::uint8_t>(~bits);
    }
    /// An operation reported the fd's error: the error readiness is used up.
    void clear_error() noexcept { ready_ &= static_cast<std::uint8_t>(~io_error); }

    // One reader and one writer at a time: a second would silently replace the first, so
    // it is stopped in every build.
    void park_reader(io_waiter& w) noexcept {
        if (reader_)
            misuse("two operations read from one socket at once: give each direction to one "
                   "task (split the socket for a reader and a writer)");
        reader_ = &w;
    }
    void park_writer(io_waiter& w) noexcept {
        if (writer_)
            misuse("two operations write to one socket at once: give each direction to one "
                   "task (split the socket for a reader and a writer)");
        writer_ = &w;
    }

    /// Stops the program (in every build) if the calling thread runs another core: an fd
    /// used there would park on a reactor that resumes it on the wrong thread, and its
    /// readiness would be raced.
    void check_core() const noexcept { check_owner(*owner_, "a socket"); }
    /// Removes `w` if it is parked here; true if it was.
    bool unpark(io_waiter& w) noexcept {
        if (reader_ == &w) return reader_ = nullptr, true;
        if (writer_ == &w) return writer_ = nullptr, true;
        return false;
    }

    /// Called by the reactor with the epoll event mask.
    void on_event(std::uint32_t events) noexcept;
    /// Wakes both waiters with `canceled` set (the runtime is stopping).
    void cancel_waiters() noexcept;

  private:
    void wake(io_waiter*& slot) noexcept;

    scheduler* owner_;
    int fd_;
    std::uint8_t ready_ = 0;
    std::uint32_t tick_ = 0;
    io_waiter* reader_ = nullptr;
    io_waiter* writer_ = nullptr;
};

} // namespace eddy::detail
