// `stream_socket`: what every connected stream socket (TCP, Unix) can do, documented here:
// read, write, wait for readiness, try without waiting, shut down its write side. The
// syscalls are the `recv_call` and `send_call` below; `fd_operation`
// (runtime/detail/io/fd_operation.hpp) runs them at once and, on EAGAIN, again from the
// reactor. `tcp_stream` and `unix_stream` build on it, so the `io::` algorithms and the
// split halves work on both.
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

class stream_socket {
  public:
    /// What `read` and `write` give: awaitables of `result<std::size_t>`.
    using read_operation = eddy::detail::fd_operation<detail::recv_call>;
    using write_operation = eddy::detail::fd_operation<detail::send_call>;

    stream_socket() noexcept = default;
    explicit stream_socket(detail::socket_handle h) noexcept : handle_(std::move(h)) {}

    /// Reads up to `buf.size()` bytes: the count, 0 at end of stream, or the error.
    /// Waits until data is there. Cancel-safe: cancelled, it has read nothing.
    read_operation read(std::span<std::byte> buf) noexcept {
        return read_operation(handle_.readiness(), detail::recv_call{buf}, detail::stream_read);
    }
    /// Writes some of `buf` (at least one byte unless it is empty): the count or the error.
    /// Cancel-safe: cancelled, it has written nothing.
    write_operation write(std::span<const std::byte> buf) noexcept {
        return write_operation(handle_.readiness(), detail::send_call{buf}, detail::stream_write);
    }
    /// Writes some of the bytes of `text`, as `write(bytes)` does; `text` must stay alive
    /// until the write completes.
    write_operation write(std::string_view text) noexcept {
        return write(std::as_bytes(std::span(text.data(), text.size())));
    }

    /// Waits until a read would not block (data, end of stream, or an error is there): a
    /// `result<void>`, `operation_canceled` if the runtime stops or the socket is closed.
    /// Cancel-safe.
    eddy::detail::readiness_wait readable() noexcept { return {handle_.readiness(), false}; }
    /// Waits until a write would not block; as `readable`.
    eddy::detail::readiness_wait writable() noexcept { return {handle_.readiness(), true}; }

    /// Reads without waiting: the count, 0 at end of stream, `errc::would_block`, or the error.
    result<std::size_t> try_read(std::span<std::byte> buf) noexcept;
    /// Writes without waiting: the count, `errc::would_block`, or the error.
    result<std::size_t> try_write(std::span<const std::byte> buf) noexcept;

    /// Shuts down the write side (the peer reads end of stream); reads go on. Awaitable; it
    /// never waits.
    eddy::detail::completed<result<void>> shutdown() noexcept;

    /// Gives the socket up without closing it: it leaves this core's reactor and the caller
    /// owns the fd. With the stream type's `from_fd` on another core, this moves a
    /// connection there (a core accepts, other cores serve).
    int into_fd() && noexcept { return handle_.release(); }

    /// The fd, for socket options eddy does not wrap. Do not close it.
    int native_handle() const noexcept { return handle_.fd(); }
    bool is_open() const noexcept { return handle_.valid(); }

  protected:
    detail::socket_handle handle_;
};

} // namespace eddy::net
