// `datagram_batch<Address>`: many datagrams at once, for a datagram socket's `recv_many` and
// `send_many` (one recvmmsg or sendmmsg for the lot). A batch owns its storage: `capacity`
// slots of `slot_size` bytes, each with its datagram's size and peer address, allocated once
// when it is made and reused by every call, so a server loop allocates nothing per datagram.
//
//     eddy::net::datagram_batch<eddy::net::socket_address> batch(16, 2048);
//     auto n = co_await sock.recv_many(batch);    // waits for one, takes all that are queued
//     for (std::size_t i = 0; n && i < batch.size(); ++i)
//         handle(batch[i].bytes(), batch[i].peer());
//     auto sent = co_await sock.send_many(batch); // each back to its sender
//
// A received datagram larger than its slot comes truncated, as `recv_from` reports it: its
// slot holds its first bytes, `size()` says how large it was and `whole()` gives
// `errc::message_truncated`; the other datagrams of the batch are whole. To send datagrams of
// your own, `clear()` the batch and `push_back` them (their bytes are copied into the slots).
// A batch serves one operation at a time, and must stay where it is (not moved or destroyed)
// until that operation completes, as a buffer given to `recv` must.
#pragma once

#include "eddy/net/detail/datagram_errors.hpp"
#include "eddy/net/detail/datagram_slots.hpp"
#include "eddy/result.hpp"

#include <cstddef>
#include <span>

namespace eddy::net {

template <class Address> class datagram_socket;

/// Datagrams with their peers, in storage allocated once, for `datagram_socket::recv_many` and
/// `send_many`; see the top of this header. Movable (not while an operation uses it), not
/// copyable.
template <class Address> class datagram_batch {
  public:
    class datagram;

    /// The most datagrams a batch holds: one recvmmsg or sendmmsg takes no more (UIO_MAXIOV).
    static constexpr std::size_t max_capacity = detail::datagram_slots::max_capacity;

    /// A batch of `capacity` slots (kept within 1 and `max_capacity`) of `slot_size` bytes
    /// each, allocated now. Throws `std::bad_alloc` if the memory cannot be had.
    datagram_batch(std::size_t capacity, std::size_t slot_size) : slots_(capacity, slot_size) {}

    /// How many datagrams it can hold: the `capacity` it was made with, kept within 1 and
    /// `max_capacity`.
    std::size_t capacity() const noexcept { return slots_.capacity(); }
    /// The bytes a slot holds: the largest datagram it receives whole or takes to send.
    std::size_t slot_size() const noexcept { return slots_.slot_size(); }
    /// How many datagrams it holds: those the last receive got (0 after a receive that
    /// failed), or those pushed since `clear`.
    std::size_t size() const noexcept { return slots_.size(); }
    /// True when it holds no datagram.
    bool empty() const noexcept { return size() == 0; }
    /// Datagram `i`, below `size()`: a view of it, valid until the batch next changes.
    datagram operator[](std::size_t i) const noexcept { return datagram(slots_, i); }

    /// Empties the batch, to push datagrams of your own.
    void clear() noexcept { slots_.clear(); }
    /// Appends a datagram of `bytes` (copied into the next slot) to be sent to `to`: ok, or
    /// `errc::invalid_argument` saying why when the batch is full or `bytes` is larger than a
    /// slot.
    result<void> push_back(std::span<const std::byte> bytes, const Address& to) {
        return slots_.push(bytes, to.native(), to.native_size());
    }
    /// As above, for the connected peer (a connected socket's `send_many` sends it there).
    result<void> push_back(std::span<const std::byte> bytes) {
        return slots_.push(bytes, nullptr, 0);
    }

  private:
    friend class datagram_socket<Address>;

    detail::datagram_slots slots_;
};

/// One datagram of a batch: what it holds, how large it was, and its peer.
template <class Address> class datagram_batch<Address>::datagram {
  public:
    /// The bytes in its slot: all of the datagram, or its first `slot_size()` when truncated.
    std::span<const std::byte> bytes() const noexcept { return slots_->bytes(index_); }
    /// Its real size: larger than `bytes().size()` when it came truncated.
    std::size_t size() const noexcept { return slots_->length(index_); }
    /// True when it was larger than its slot (and so was cut to the slot's size).
    bool truncated() const noexcept { return slots_->truncated(index_); }
    /// All of its bytes, or `errc::message_truncated` when it came truncated, saying both
    /// sizes ("datagram of 1200 bytes into a buffer of 512"), as `recv_from` does.
    result<std::span<const std::byte>> whole() const;
    /// Its sender (received) or destination (pushed). Unnamed or unspecified when it has
    /// none: pushed for the connected peer, or from an unbound Unix socket.
    Address peer() const noexcept {
        return Address::from_native(slots_->peer(index_), slots_->peer_size(index_));
    }

  private:
    friend class datagram_batch;
    datagram(const detail::datagram_slots& slots, std::size_t index) noexcept
        : slots_(&slots), index_(index) {}

    const detail::datagram_slots* slots_;
    std::size_t index_;
};

template <class Address>
result<std::span<const std::byte>> datagram_batch<Address>::datagram::whole() const {
    if (truncated()) return detail::truncated(size(), slots_->slot_size());
    return bytes();
}

} // namespace eddy::net
