// `stream_socket`: what every connected stream socket (TCP, Unix) can do, documented here:
// read, write, wait for readiness, try without waiting, shut down its write side. The
// syscalls are the `recv_call` and `send_call` below; `fd_operation`
// (runtime/detail/io/fd_operation.hpp) runs them at once and, on EAGAIN, again from the
// reactor. `tcp_stream` and `unix_stream` build on it, so the `io::` algorithms and the
// split halves work on both.
//
//     eddy::net::tcp_stream& s = ...;                  // or a unix_stream
//     co_await s.readable();                           // waits without holding a buffer
//     std::array<std::byte, 4096> buf;
//     auto n = s.try_read(buf);                        // count, 0 at end, or errc::would_block
//     auto w = co_await s.write(std::string_view("ok\n"));   // some of it: io::write_all for all
//     co_await s.shutdown();                           // the peer reads end of stream
#pragma once

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/runtime/detail/completed.hpp"
#include "eddy/runtime/detail/io/fd_operation.hpp"
#include "eddy/runtime/detail/io/readiness_wait.hpp"

#include <cstddef>
#include <span>
#include <string_view>
#include <sys/socket.h>

namespace eddy::net {

namespace detail {

// The syscalls of `read` and `write`, run by `fd_operation` at once or from the reactor.

struct recv_call {
    std::span<std::byte> buf;
    ssize_t operator()(int fd) const noexcept { return ::recv(fd, buf.data(), buf.size(), 0); }
    std::size_t size() const noexcept { return buf.size(); }
};

struct send_call {
    std::span<const std::byte> buf;
    // MSG_NOSIGNAL: a write to a reset connection is an EPIPE error, never a SIGPIPE.
    ssize_t operator()(int fd) const noexcept {
        return ::send(fd, buf.data(), buf.size(), MSG_NOSIGNAL);
    }
    std::size_t size() const noexcept { return buf.size(); }
};

inline constexpr eddy::detail::io_direction stream_read{.write = false,
                                                        .short_means_drained = true};
inline constexpr eddy::detail::io_direction stream_write{.write = true,
                                                         .short_means_drained = true};

} // namespace detail

/// A connected stream socket (TCP or Unix) on the calling core: what `tcp_stream` and
/// `unix_stream` share; see the top of this header.
///
/// Use it on the core that made it (its I/O called from another core stops the program). One
/// read
/// (`read`, `readable`) and one write (`write`, `writable`) may wait at a time, from two
/// tasks if need be (see `split`); a second one waiting in the same direction stops the
/// program. Every awaitable here gives `errc::operation_canceled` when the runtime stops or
/// the socket is closed while it waits. Cancel safety: a `timeout` that expires withdraws
/// the wait, and the operation has then moved no byte; one that completed first gives its
/// result instead of `errc::timed_out`. An abort destroys the waiting task, and with it the
/// result of an operation that had just completed.
class stream_socket {
  public:
    /// What `read` gives: an awaitable of `result<std::size_t>`.
    using read_operation = eddy::detail::fd_operation<detail::recv_call>;
    /// What `write` gives: an awaitable of `result<std::size_t>`.
    using write_operation = eddy::detail::fd_operation<detail::send_call>;

    /// An empty socket, not open: assign one made by `connect`, `accept` or `pair`.
    stream_socket() noexcept = default;
    /// Adopts a connected socket already registered on the calling core.
    explicit stream_socket(detail::socket_handle h) noexcept : handle_(std::move(h)) {}

    /// Reads up to `buf.size()` bytes: the count, 0 at end of stream (and for an empty
    /// `buf`), or the error (ECONNRESET...). Waits until data is there. Cancel-safe:
    /// cancelled, it has read nothing.
    read_operation read(std::span<std::byte> buf) noexcept {
        return read_operation(handle_.readiness(), detail::recv_call{buf}, detail::stream_read);
    }
    /// Writes some of `buf` (at least one byte unless it is empty), waiting while the send
    /// buffer is full: the count or the error (EPIPE or ECONNRESET once the peer is gone;
    /// never a SIGPIPE). Cancel-safe: cancelled, it has written nothing.
    write_operation write(std::span<const std::byte> buf) noexcept {
        return write_operation(handle_.readiness(), detail::send_call{buf}, detail::stream_write);
    }
    /// Writes some of the bytes of `text`, as `write(bytes)` does; `text` must stay alive
    /// until the write completes.
    write_operation write(std::string_view text) noexcept {
        return write(std::as_bytes(std::span(text.data(), text.size())));
    }

    /// Waits until a read would not block (data, end of stream, or an error is there),
    /// without reading: a `result<void>`, `operation_canceled` if the runtime stops or the
    /// socket is closed. Cancel-safe: it consumes nothing.
    eddy::detail::readiness_wait readable() noexcept { return {handle_.readiness(), false}; }
    /// Waits until a write would not block; as `readable`. Cancel-safe.
    eddy::detail::readiness_wait writable() noexcept { return {handle_.readiness(), true}; }

    /// Reads without waiting: the count, 0 at end of stream, `errc::would_block`, or the error.
    result<std::size_t> try_read(std::span<std::byte> buf) noexcept;
    /// Writes without waiting: the count, `errc::would_block` (nothing written), or the error.
    result<std::size_t> try_write(std::span<const std::byte> buf) noexcept;

    /// Shuts down the write side (the peer reads end of stream); reads go on. Awaitable, to
    /// a `result<void>`; it never waits. Errors: the system's, context "shutdown"; a peer
    /// already gone (ENOTCONN) is no error.
    eddy::detail::completed<result<void>> shutdown() noexcept;

    /// Gives the socket up without closing it: it leaves this core's reactor and the caller
    /// owns the fd (-1 if it held none). With the stream type's `from_fd` on another core,
    /// this moves a connection there (a core accepts, other cores serve).
    int into_fd() && noexcept { return handle_.release(); }

    /// The fd, for socket options eddy does not wrap (-1 when not open). Do not close it.
    int native_handle() const noexcept { return handle_.fd(); }
    /// True while it holds a socket: false when default-made, moved from, or given up with
    /// `into_fd`.
    bool is_open() const noexcept { return handle_.valid(); }

  protected:
    detail::socket_handle handle_; ///< the socket, registered on the core that made it
};

} // namespace eddy::net
