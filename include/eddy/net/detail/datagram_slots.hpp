// The storage behind `datagram_batch` and its two syscalls, the same for every address type:
// the datagrams' bytes in fixed-size slots, each datagram's real size and peer, and the arrays
// the kernel reads and writes (`mmsghdr`, `iovec`). All of it is allocated once, when the batch
// is made; `receive` and `send` only rewrite the headers they need.
#pragma once

#include "eddy/result.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>

namespace eddy::net::detail {

class datagram_slots {
  public:
    /// The most datagrams one recvmmsg or sendmmsg handles (UIO_MAXIOV). The kernel quietly
    /// takes no more, so a larger batch would look drained after every full receive.
    static constexpr std::size_t max_capacity = 1024;

    /// `capacity` slots (kept within 1 and `max_capacity`) of `slot_size` bytes. Throws
    /// `std::bad_alloc` (or `std::bad_array_new_length` when the sizes overflow) as `new` does.
    datagram_slots(std::size_t capacity, std::size_t slot_size);
    datagram_slots(datagram_slots&& o) noexcept;
    datagram_slots& operator=(datagram_slots&& o) noexcept;
    ~datagram_slots();

    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t slot_size() const noexcept { return slot_size_; }
    std::size_t size() const noexcept { return size_; }

    /// What datagram `i`'s slot holds: all of it, or its first `slot_size()` bytes.
    std::span<const std::byte> bytes(std::size_t i) const noexcept;
    /// Datagram `i`'s real size, larger than the slot when it came truncated.
    std::size_t length(std::size_t i) const noexcept { return lengths_[i]; }
    bool truncated(std::size_t i) const noexcept { return lengths_[i] > slot_size_; }
    /// Datagram `i`'s sender or destination; a size of 0 when it has none.
    const sockaddr* peer(std::size_t i) const noexcept;
    socklen_t peer_size(std::size_t i) const noexcept { return peer_sizes_[i]; }

    void clear() noexcept { size_ = 0; }
    /// Copies `bytes` into the next slot, to go to `peer` (null: the connected peer). Fails
    /// with `errc::invalid_argument` saying why: the batch is full, or `bytes` is larger than
    /// a slot.
    result<void> push(std::span<const std::byte> bytes, const sockaddr* peer, socklen_t peer_size);

    /// How many datagrams from `first` on can go in one sendmmsg: all that are left, or those
    /// before the first truncated one (never sent: only part of it is here).
    std::size_t sendable_from(std::size_t first) const noexcept;

    /// One recvmmsg into every slot: the count (and `size()` is that count), or -1 with errno
    /// set (and `size()` is 0).
    ssize_t receive(int fd) noexcept;
    /// One sendmmsg of datagrams `first` to `first + count`: how many went, or -1 with errno
    /// set (nothing went). A count of 0 makes no syscall.
    ssize_t send(int fd, std::size_t first, std::size_t count) noexcept;

  private:
    std::byte* slot(std::size_t i) const noexcept { return bytes_.get() + i * slot_size_; }
    void aim_header_at_slot(std::size_t i) noexcept;

    std::size_t capacity_ = 0;
    std::size_t slot_size_ = 0;
    std::size_t size_ = 0;
    // Headers below this index may have been left by a send or a receive in a shape the next
    // receive must restore (name length, vector length); the others are ready for it.
    std::size_t touched_ = 0;
    std::unique_ptr<std::byte[]> bytes_;
    std::unique_ptr<std::size_t[]> lengths_;
    std::unique_ptr<sockaddr_storage[]> peers_;
    std::unique_ptr<socklen_t[]> peer_sizes_;
    std::unique_ptr<mmsghdr[]> headers_;
    std::unique_ptr<iovec[]> vectors_;
};

} // namespace eddy::net::detail
