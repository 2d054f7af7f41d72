// The readiness of one registered fd, as its core's reactor saw it, and the at most one
// reader and one writer waiting on it.
//
// The fd is registered once, edge-triggered, with `data.ptr` pointing here. Readiness bits
// are set by events and cleared by operations that saw EAGAIN (or a short read/write);
// `tick` counts events so an operation clears only the readiness it observed. Until a
// direction's readiness is first cleared it is "untried": an operation tries its syscall, a
// readiness wait waits for the reactor (registration reports the fd's state as an event).
// Once cleared, the direction is known drained until the next event, and an operation parks
// without a syscall that could only say EAGAIN. Read-closed
// is never cleared: after it every read returns at once. Error readiness is used up by the
// operation that reports the error, or cleared with the rest by an EAGAIN (a datagram
// socket's ICMP error is reported once, then the socket waits again).
#pragma once

#include "eddy/runtime/detail/intrusive_list.hpp"
#include "eddy/runtime/detail/io/fd_waiter.hpp"
#include "eddy/runtime/detail/misuse.hpp"

#include <cstdint>

namespace eddy::detail {

class scheduler;

/// The bits of `fd_readiness`: what the kernel has reported of an fd.
namespace readiness_bit {
inline constexpr std::uint8_t readable = 1;
inline constexpr std::uint8_t writable = 2;
inline constexpr std::uint8_t read_closed = 4;
inline constexpr std::uint8_t error = 8;
// Not yet found drained (see above); cleared with `readable` and `writable`.
inline constexpr std::uint8_t untried_read = readable << 4;
inline constexpr std::uint8_t untried_write = writable << 4;
} // namespace readiness_bit

class fd_readiness : public list_hook {
  public:
    fd_readiness(scheduler& owner, int fd) noexcept : owner_(&owner), fd_(fd) {}
    fd_readiness(const fd_readiness&) = delete;
    fd_readiness& operator=(const fd_readiness&) = delete;
    /// Wakes any waiter with `canceled` set: an fd closed under a waiting operation.
    ~fd_readiness();

    int fd() const noexcept { return fd_; }
    /// The core's scheduler. Stops the program (in every build) if that runtime is gone.
    scheduler& owner() const noexcept {
        if (!owner_) used_after_runtime();
        return *owner_;
    }

    /// At teardown, the fd's core lets go of it: the socket was kept past its runtime (moved
    /// out of `block_on`). Its epoll instance goes with the runtime, so closing it later
    /// deregisters nothing; anything else done with it stops the program.
    void orphan() noexcept {
        owner_ = nullptr;
        unlink();
    }
    bool orphaned() const noexcept { return owner_ == nullptr; }

    bool read_ready() const noexcept {
        namespace bit = readiness_bit;
        return ready_ & (bit::readable | bit::read_closed | bit::error);
    }
    bool write_ready() const noexcept {
        namespace bit = readiness_bit;
        return ready_ & (bit::writable | bit::error);
    }
    /// False when the direction is known drained (its readiness was cleared and no event
    /// came since): its syscall would only say EAGAIN.
    bool may_transfer(bool write) const noexcept {
        namespace bit = readiness_bit;
        return write ? ready_ & (bit::writable | bit::error | bit::untried_write)
                     : ready_ & (bit::readable | bit::read_closed | bit::error | bit::untried_read);
    }
    std::uint32_t tick() const noexcept { return tick_; }

    /// Forgets `bits` (and that their directions were untried) unless an event arrived since
    /// `seen_tick` was read.
    void clear(unsigned bits, std::uint32_t seen_tick) noexcept {
        namespace bit = readiness_bit;
        const unsigned untried = (bits & (bit::readable | bit::writable)) << 4;
        if (tick_ == seen_tick) ready_ &= static_cast<std::uint8_t>(~(bits | untried));
    }
    /// An operation reported the fd's error: the error readiness is used up.
    void clear_error() noexcept { ready_ &= static_cast<std::uint8_t>(~readiness_bit::error); }

    /// Parks `w` as the fd's reader (or writer). One of each at a time: a second would
    /// silently replace the first, so it is stopped in every build.
    void park(fd_waiter& w, bool write) noexcept {
        fd_waiter*& slot = write ? writer_ : reader_;
        if (slot)
            misuse(write ? "two operations write to one socket at once: give each direction to "
                           "one task (split the socket for a reader and a writer)"
                         : "two operations read from one socket at once: give each direction to "
                           "one task (split the socket for a reader and a writer)");
        slot = &w;
    }
    /// Removes `w` if it is parked here; true if it was.
    bool unpark(fd_waiter& w) noexcept {
        if (reader_ == &w) return reader_ = nullptr, true;
        if (writer_ == &w) return writer_ = nullptr, true;
        return false;
    }

    /// Stops the program (in every build) if the calling thread runs another core: an fd
    /// used there would park on a reactor that resumes it on the wrong thread, and its
    /// readiness would be raced.
    void check_core() const noexcept { check_owner(owner(), "a socket"); }

    /// Called by the reactor with the epoll event mask.
    void on_event(std::uint32_t events) noexcept;
    /// Wakes both waiters with `canceled` set (the runtime is stopping).
    void cancel_waiters() noexcept;

  private:
    void wake(fd_waiter*& slot) noexcept;
    [[noreturn]] static void used_after_runtime() noexcept;

    scheduler* owner_;
    int fd_;
    std::uint8_t ready_ = readiness_bit::untried_read | readiness_bit::untried_write;
    std::uint32_t tick_ = 0;
    fd_waiter* reader_ = nullptr;
    fd_waiter* writer_ = nullptr;
};

} // namespace eddy::detail
