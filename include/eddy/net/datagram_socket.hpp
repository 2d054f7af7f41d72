// `datagram_socket<Address>`: what every datagram socket (UDP, Unix datagram) can do,
// documented here: send and receive whole datagrams, to and from an address or the connected
// peer, wait for readiness, and try without waiting. `udp_socket` and `unix_datagram` build on
// it with their own `Address` type. The syscalls are the `datagram_*_call`s below, run by
// `fd_operation` (runtime/detail/io/fd_operation.hpp).
//
//     std::array<std::byte, 65536> buf;
//     auto got = co_await sock.recv_from(buf);       // result<pair<size_t, Address>>
//     if (got) co_await sock.send_to(std::span(buf).first(got->first), got->second);
//
// `recv_many` and `send_many` move many datagrams in one syscall (recvmmsg, sendmmsg) through
// a `datagram_batch` (datagram_batch.hpp), which holds each datagram with its peer.
//
// A datagram goes out whole or not at all, and comes in whole: every receive asks the kernel
// for the datagram's real length (MSG_TRUNC), so one larger than the buffer is never a
// silently short count but `errc::message_truncated` ("datagram of 1200 bytes into a buffer
// of 512"). `recv` and `recv_from` have then consumed it, as the kernel does (the buffer holds
// its first bytes); `peek_from` leaves it queued, so the caller can retry with a bigger buffer.
#pragma once

#include "eddy/net/datagram_batch.hpp"
#include "eddy/net/detail/datagram_errors.hpp"
#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/net/detail/sockopt.hpp"
#include "eddy/runtime/detail/io/fd_operation.hpp"
#include "eddy/runtime/detail/io/readiness_wait.hpp"

#include <cstddef>
#include <span>
#include <sys/socket.h>
#include <utility>

namespace eddy::net::detail {

// The calls below run in `attempt`, at once or from the reactor; `finish` turns the byte
// count the kernel gave into what the operation returns.

struct datagram_send_call {
    std::span<const std::byte> buf;
    // MSG_NOSIGNAL: a connected Unix datagram socket whose peer closed fails with EPIPE; that
    // is an error to return, never a SIGPIPE.
    ssize_t operator()(int fd) const noexcept {
        return ::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL);
    }
    std::size_t size() const noexcept { return buf.size(); }
    result<std::size_t> finish(result<std::size_t> n) const { return n; }
};

template <class Address> struct datagram_send_to_call {
    std::span<const std::byte> buf;
    Address to; // by value: the caller's address may be a temporary
    ssize_t operator()(int fd) const noexcept {
        return ::sendto(fd, buf.data(), buf.size(), MSG_NOSIGNAL, to.native(), to.native_size());
    }
    std::size_t size() const noexcept { return buf.size(); }
    result<std::size_t> finish(result<std::size_t> n) const {
        if (!n) return naming(std::move(n).error(), to.to_string());
        return n;
    }
};

struct datagram_recv_call {
    std::span<std::byte> buf;
    ssize_t operator()(int fd) const noexcept {
        return ::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
    }
    std::size_t size() const noexcept { return buf.size(); }
    result<std::size_t> finish(result<std::size_t> n) const {
        if (n && *n > buf.size()) return truncated(*n, buf.size());
        return n;
    }
};

/// Keeps the sender's address in itself: the operation holding it by value is where the
/// reactor's retry writes, so the address survives the awaiter being moved before it waits.
template <class Address> struct datagram_recv_from_call {
    std::span<std::byte> buf;
    int flags = 0; // MSG_PEEK for peek_from
    sockaddr_storage from{};
    socklen_t from_size = 0;

    ssize_t operator()(int fd) noexcept {
        from_size = sizeof from;
        return ::recvfrom(fd, buf.data(), buf.size(), flags | MSG_TRUNC,
                          reinterpret_cast<sockaddr*>(&from), &from_size);
    }
    std::size_t size() const noexcept { return buf.size(); }
    result<std::pair<std::size_t, Address>> finish(result<std::size_t> n) const {
        if (!n) return std::move(n).error();
        if (*n > buf.size()) return truncated(*n, buf.size());
        return std::pair{*n,
                         Address::from_native(reinterpret_cast<const sockaddr*>(&from), from_size)};
    }
};

/// Receives into every slot of a batch; the batch keeps what came (sizes, senders).
struct datagram_recv_many_call {
    datagram_slots* slots;
    ssize_t operator()(int fd) const noexcept { return slots->receive(fd); }
    std::size_t size() const noexcept { return slots->capacity(); }
    result<std::size_t> finish(result<std::size_t> n) const { return n; }
};

/// Sends the batch's datagrams `first` to `first + count` (`count` stops before a truncated
/// one, see `datagram_slots::sendable_from`).
template <class Address> struct datagram_send_many_call {
    datagram_slots* slots;
    std::size_t first;
    std::size_t count;
    ssize_t operator()(int fd) const noexcept { return slots->send(fd, first, count); }
    std::size_t size() const noexcept { return count; }
    result<std::size_t> finish(result<std::size_t> n) const {
        if (first >= slots->size()) return n; // nothing was there to send
        if (n && *n == 0) return truncated(slots->length(first), slots->slot_size());
        if (!n && slots->peer_size(first) != 0) {
            const auto to = Address::from_native(slots->peer(first), slots->peer_size(first));
            return naming(std::move(n).error(), to.to_string());
        }
        return n;
    }
};

/// An `fd_operation` whose result goes through its call's `finish`.
template <class Call> class datagram_operation : public eddy::detail::fd_operation<Call> {
    using base = eddy::detail::fd_operation<Call>;

  public:
    using base::base;
    auto await_resume() { return this->call().finish(base::await_resume()); }
};

// A datagram shorter than the buffer says nothing about what else is queued.
inline constexpr eddy::detail::io_direction datagram_read{.write = false,
                                                          .short_means_drained = false};
inline constexpr eddy::detail::io_direction datagram_write{.write = true,
                                                           .short_means_drained = false};
// recvmmsg stops short of the batch's capacity only when the queue ran dry (or on an error,
// which it leaves in the socket's error, still flagged by its own readiness bit). sendmmsg
// uses `datagram_write`: it also stops short before a datagram that fails (EMSGSIZE, a Unix
// peer gone) and drops that error, so a short count does not prove the send buffer full;
// forgetting writability then would leave `writable()` waiting for an edge that, on a Unix
// socket, comes only once the peer reads.
inline constexpr eddy::detail::io_direction datagram_batch_read{.write = false,
                                                                .short_means_drained = true};

} // namespace eddy::net::detail

namespace eddy::net {

/// A datagram socket whose addresses are `Address` (`socket_address`, `unix_address`): what
/// `udp_socket` and `unix_datagram` share; see the top of this header.
///
/// Use it on the core that made it (its I/O called from another core stops the program). One
/// receive
/// (`recv`, `recv_from`, `peek_from`, `recv_many`, `readable`) and one send may wait at a
/// time; a second one waiting in the same direction stops the program. Every awaitable here
/// gives `errc::operation_canceled` when the runtime stops or the socket is closed while it
/// waits. Cancel safety: a `timeout` that expires withdraws the wait, and the operation has
/// then moved no datagram; one that completed first gives its result instead of
/// `errc::timed_out`. An abort destroys the waiting task, and with it the result of an
/// operation that had just completed.
template <class Address> class datagram_socket {
  public:
    /// The type of its addresses.
    using address_type = Address;
    /// What `send` gives: an awaitable of `result<std::size_t>`.
    using send_operation = detail::datagram_operation<detail::datagram_send_call>;
    /// What `send_to` gives: an awaitable of `result<std::size_t>`.
    using send_to_operation = detail::datagram_operation<detail::datagram_send_to_call<Address>>;
    /// What `recv` gives: an awaitable of `result<std::size_t>`.
    using recv_operation = detail::datagram_operation<detail::datagram_recv_call>;
    /// What `recv_from` and `peek_from` give: an awaitable of
    /// `result<std::pair<std::size_t, Address>>`.
    using recv_from_operation =
        detail::datagram_operation<detail::datagram_recv_from_call<Address>>;
    /// What `recv_many` gives: an awaitable of `result<std::size_t>`.
    using recv_many_operation = detail::datagram_operation<detail::datagram_recv_many_call>;
    /// What `send_many` gives: an awaitable of `result<std::size_t>`.
    using send_many_operation =
        detail::datagram_operation<detail::datagram_send_many_call<Address>>;

    /// An empty socket, not open: assign one made by `bind` (or `unbound`, `pair`).
    datagram_socket() noexcept = default;
    /// Adopts a socket already registered on the calling core (what `bind` does).
    explicit datagram_socket(detail::socket_handle h) noexcept : handle_(std::move(h)) {}

    /// Sends `buf` as one datagram to the connected peer: its size, or the error (no peer:
    /// EDESTADDRREQ; too large: EMSGSIZE). Cancel-safe: cancelled, it has sent nothing.
    send_operation send(std::span<const std::byte> buf) noexcept {
        return send_operation(handle_.readiness(), detail::datagram_send_call{buf},
                              detail::datagram_write);
    }
    /// Receives one datagram from the connected peer (or anyone, unconnected): its size, or
    /// `errc::message_truncated` when it was larger than `buf` (then consumed, `buf` holding
    /// its first bytes). Cancel-safe: cancelled, it has received nothing.
    recv_operation recv(std::span<std::byte> buf) noexcept {
        return recv_operation(handle_.readiness(), detail::datagram_recv_call{buf},
                              detail::datagram_read);
    }
    /// Sends `buf` as one datagram to `to`: its size, or the error naming `to`.
    /// Cancel-safe: cancelled, it has sent nothing.
    send_to_operation send_to(std::span<const std::byte> buf, const Address& to) {
        return send_to_operation(handle_.readiness(),
                                 detail::datagram_send_to_call<Address>{buf, to},
                                 detail::datagram_write);
    }
    /// Receives one datagram: its size and its sender, or `errc::message_truncated` when it
    /// was larger than `buf` (then consumed, as with `recv`).
    /// Cancel-safe: cancelled, it has received nothing.
    recv_from_operation recv_from(std::span<std::byte> buf) noexcept {
        return recv_from_operation(handle_.readiness(),
                                   detail::datagram_recv_from_call<Address>{buf},
                                   detail::datagram_read);
    }
    /// As `recv_from`, but the datagram stays queued: the next receive gets it again. On
    /// `errc::message_truncated` retry with a buffer of the size the message names.
    /// Cancel-safe (it never consumes anything).
    recv_from_operation peek_from(std::span<std::byte> buf) noexcept {
        return recv_from_operation(handle_.readiness(),
                                   detail::datagram_recv_from_call<Address>{buf, MSG_PEEK},
                                   detail::datagram_read);
    }

    /// `send` without waiting: the size, `errc::would_block` (nothing sent), or the error.
    result<std::size_t> try_send(std::span<const std::byte> buf) noexcept {
        detail::datagram_send_call call{buf};
        return call.finish(attempt(call, detail::datagram_write));
    }
    /// `recv` without waiting: the size, `errc::would_block`, truncation, or the error.
    result<std::size_t> try_recv(std::span<std::byte> buf) {
        detail::datagram_recv_call call{buf};
        return call.finish(attempt(call, detail::datagram_read));
    }
    /// `send_to` without waiting: the size, `errc::would_block`, or the error naming `to`.
    result<std::size_t> try_send_to(std::span<const std::byte> buf, const Address& to) {
        detail::datagram_send_to_call<Address> call{buf, to};
        return call.finish(attempt(call, detail::datagram_write));
    }
    /// `recv_from` without waiting: size and sender, `errc::would_block`, truncation, or the
    /// error.
    result<std::pair<std::size_t, Address>> try_recv_from(std::span<std::byte> buf) {
        detail::datagram_recv_from_call<Address> call{buf};
        return call.finish(attempt(call, detail::datagram_read));
    }

    /// Waits until a datagram (or an error) is queued, then receives all that are queued, up
    /// to the batch's capacity, in one recvmmsg: how many (`batch.size()` then), or the error
    /// (a UDP socket's ICMP error, reported once as `recv` reports it; the batch is then
    /// empty). A datagram larger than its slot is consumed and marked truncated in the batch,
    /// the others stay whole. Cancel-safe: cancelled, it has received nothing.
    recv_many_operation recv_many(datagram_batch<Address>& batch) noexcept {
        return recv_many_operation(handle_.readiness(),
                                   detail::datagram_recv_many_call{&batch.slots_},
                                   detail::datagram_batch_read);
    }
    /// Sends the batch's datagrams from `first` on, in order, each to its peer (pushed
    /// without one: to the connected peer), in one sendmmsg, waiting while none can go. Gives
    /// how many went, at least 1: fewer than asked when the send buffer filled or the next
    /// datagram failed (send the rest with `first` moved on by the count; that try reports
    /// the failing datagram's error). Nothing from `first` on: 0 at once. Errors are the first
    /// datagram's, naming its peer as `send_to` does; `errc::message_truncated` for one that
    /// came truncated (only part of it is here, and datagrams go whole or not at all, so
    /// sending also stops before one). Cancel-safe: cancelled, it has sent nothing.
    send_many_operation send_many(datagram_batch<Address>& batch, std::size_t first = 0) noexcept {
        return send_many_operation(handle_.readiness(), send_many_call(batch, first),
                                   detail::datagram_write);
    }
    /// `recv_many` without waiting: the count, `errc::would_block` (the batch empty), or the
    /// error.
    result<std::size_t> try_recv_many(datagram_batch<Address>& batch) noexcept {
        detail::datagram_recv_many_call call{&batch.slots_};
        return call.finish(attempt(call, detail::datagram_batch_read));
    }
    /// `send_many` without waiting: the count, `errc::would_block` (nothing went), or the
    /// first datagram's error.
    result<std::size_t> try_send_many(datagram_batch<Address>& batch, std::size_t first = 0) {
        auto call = send_many_call(batch, first);
        return call.finish(attempt(call, detail::datagram_write));
    }

    /// Waits until a receive would not block (a datagram or an error is queued), without
    /// receiving: a `result<void>`, `errc::operation_canceled` when the runtime stops or the
    /// socket is closed. Cancel-safe: it consumes nothing.
    eddy::detail::readiness_wait readable() noexcept { return {handle_.readiness(), false}; }
    /// Waits until a send would not block; as `readable`. Cancel-safe.
    eddy::detail::readiness_wait writable() noexcept { return {handle_.readiness(), true}; }

    /// The address this socket is bound to (the kernel's pick after port 0 or an implicit
    /// bind), or the getsockname error.
    result<Address> local_addr() const {
        return detail::socket_name_as<Address>(handle_.fd(), false);
    }
    /// The connected peer, or ENOTCONN ("getpeername") when not connected.
    result<Address> peer_addr() const {
        return detail::socket_name_as<Address>(handle_.fd(), true);
    }

    /// The fd, for socket options eddy does not wrap (-1 when not open). Do not close it.
    int native_handle() const noexcept { return handle_.fd(); }
    /// True while it holds a socket: false when default-made or moved from.
    bool is_open() const noexcept { return handle_.valid(); }

  protected:
    detail::socket_handle handle_; ///< the socket, registered on the core that made it

  private:
    static detail::datagram_send_many_call<Address> send_many_call(datagram_batch<Address>& batch,
                                                                   std::size_t first) noexcept {
        return {&batch.slots_, first, batch.slots_.sendable_from(first)};
    }

    template <class Call>
    result<std::size_t> attempt(Call& call, eddy::detail::io_direction dir) noexcept {
        return eddy::detail::attempt(handle_.readiness(), call, dir);
    }
};

} // namespace eddy::net
