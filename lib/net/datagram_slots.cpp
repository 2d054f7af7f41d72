#include "eddy/net/detail/datagram_slots.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <utility>

namespace eddy::net::detail {

static_assert(datagram_slots::max_capacity == UIO_MAXIOV);

datagram_slots::datagram_slots(std::size_t capacity, std::size_t slot_size)
    : capacity_(std::clamp<std::size_t>(capacity, 1, max_capacity)), slot_size_(slot_size) {
    if (slot_size_ > std::numeric_limits<std::size_t>::max() / capacity_)
        throw std::bad_array_new_length();
    // Never written before the kernel or `push` fills them: no need to zero megabytes of
    // slots (and their pages are only touched as far as datagrams reach).
    bytes_ = std::make_unique_for_overwrite<std::byte[]>(capacity_ * slot_size_);
    lengths_ = std::make_unique<std::size_t[]>(capacity_);
    peers_ = std::make_unique<sockaddr_storage[]>(capacity_);
    peer_sizes_ = std::make_unique<socklen_t[]>(capacity_);
    headers_ = std::make_unique<mmsghdr[]>(capacity_);
    vectors_ = std::make_unique<iovec[]>(capacity_);
    for (std::size_t i = 0; i < capacity_; ++i)
        aim_header_at_slot(i);
}

datagram_slots::datagram_slots(datagram_slots&& o) noexcept
    : capacity_(std::exchange(o.capacity_, 0)), slot_size_(std::exchange(o.slot_size_, 0)),
      size_(std::exchange(o.size_, 0)), touched_(std::exchange(o.touched_, 0)),
      bytes_(std::move(o.bytes_)), lengths_(std::move(o.lengths_)), peers_(std::move(o.peers_)),
      peer_sizes_(std::move(o.peer_sizes_)), headers_(std::move(o.headers_)),
      vectors_(std::move(o.vectors_)) {}

datagram_slots& datagram_slots::operator=(datagram_slots&& o) noexcept {
    if (this != &o) {
        capacity_ = std::exchange(o.capacity_, 0);
        slot_size_ = std::exchange(o.slot_size_, 0);
        size_ = std::exchange(o.size_, 0);
        touched_ = std::exchange(o.touched_, 0);
        bytes_ = std::move(o.bytes_);
        lengths_ = std::move(o.lengths_);
        peers_ = std::move(o.peers_);
        peer_sizes_ = std::move(o.peer_sizes_);
        headers_ = std::move(o.headers_);
        vectors_ = std::move(o.vectors_);
    }
    return *this;
}

datagram_slots::~datagram_slots() = default;

std::span<const std::byte> datagram_slots::bytes(std::size_t i) const noexcept {
    return {slot(i), std::min(lengths_[i], slot_size_)};
}

const sockaddr* datagram_slots::peer(std::size_t i) const noexcept {
    return reinterpret_cast<const sockaddr*>(&peers_[i]);
}

result<void> datagram_slots::push(std::span<const std::byte> bytes, const sockaddr* peer,
                                  socklen_t peer_size) {
    if (size_ == capacity_)
        return error(errc::invalid_argument,
                     "the batch is full (" + std::to_string(capacity_) + " datagrams)");
    if (bytes.size() > slot_size_)
        return error(errc::invalid_argument, "datagram of " + std::to_string(bytes.size()) +
                                                 " bytes into a slot of " +
                                                 std::to_string(slot_size_));
    if (peer && peer_size > sizeof(sockaddr_storage))
        return error(errc::invalid_argument,
                     "an address of " + std::to_string(peer_size) + " bytes");
    if (!bytes.empty()) std::memcpy(slot(size_), bytes.data(), bytes.size());
    lengths_[size_] = bytes.size();
    peer_sizes_[size_] = peer ? peer_size : 0;
    if (peer) std::memcpy(&peers_[size_], peer, peer_size);
    ++size_;
    return ok();
}

std::size_t datagram_slots::sendable_from(std::size_t first) const noexcept {
    std::size_t end = first;
    while (end < size_ && !truncated(end))
        ++end;
    return end - std::min(first, end);
}

void datagram_slots::aim_header_at_slot(std::size_t i) noexcept {
    vectors_[i] = {slot(i), slot_size_};
    msghdr& h = headers_[i].msg_hdr;
    h = {};
    h.msg_name = &peers_[i];
    h.msg_namelen = sizeof(sockaddr_storage);
    h.msg_iov = &vectors_[i];
    h.msg_iovlen = 1;
}

ssize_t datagram_slots::receive(int fd) noexcept {
    // The kernel wrote name lengths into the headers of the last receive, and a send aimed
    // headers at its datagrams' lengths and destinations; the rest are still as made.
    for (std::size_t i = 0; i < touched_; ++i)
        aim_header_at_slot(i);
    // MSG_TRUNC makes each message's msg_len its datagram's real length, so that a datagram
    // larger than its slot is seen (the kernel also sets MSG_TRUNC in that message's
    // msg_flags) without failing the others.
    const int n =
        ::recvmmsg(fd, headers_.get(), static_cast<unsigned>(capacity_), MSG_TRUNC, nullptr);
    const std::size_t got = n > 0 ? static_cast<std::size_t>(n) : 0;
    for (std::size_t i = 0; i < got; ++i) {
        lengths_[i] = headers_[i].msg_len;
        peer_sizes_[i] = headers_[i].msg_hdr.msg_namelen;
    }
    size_ = got;
    // A failed call may still have written the first header's name length.
    touched_ = std::max<std::size_t>(got, 1);
    return n;
}

ssize_t datagram_slots::send(int fd, std::size_t first, std::size_t count) noexcept {
    if (count == 0) return 0;
    for (std::size_t i = first; i < first + count; ++i) {
        vectors_[i].iov_len = lengths_[i];
        msghdr& h = headers_[i].msg_hdr;
        h.msg_name = peer_sizes_[i] != 0 ? &peers_[i] : nullptr;
        h.msg_namelen = peer_sizes_[i];
    }
    touched_ = std::max(touched_, first + count);
    // MSG_NOSIGNAL: as `send`, a Unix peer that closed is EPIPE to return, never a SIGPIPE.
    return ::sendmmsg(fd, headers_.get() + first, static_cast<unsigned>(count), MSG_NOSIGNAL);
}

} // namespace eddy::net::detail
