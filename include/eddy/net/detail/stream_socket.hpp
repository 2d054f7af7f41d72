// What every connected stream socket (TCP, Unix) can do: read, write, wait for readiness,
// try without waiting, and shut down its write side. `tcp_stream` and the Unix stream build
// on it, so the `io::` algorithms and the split halves work on both.
#pragma once

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/runtime/detail/io_awaiters.hpp"

#include <cstddef>
#include <span>
#include <sys/socket.h>

namespace eddy::net::detail {

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

using read_operation = eddy::detail::io_operation<recv_call>;
using write_operation = eddy::detail::io_operation<send_call>;

inline constexpr eddy::detail::io_direction stream_read{.write = false,
                                                        .short_means_drained = true};
inline constexpr eddy::detail::io_direction stream_write{.write = true,
                                                         .short_means_drained = true};

class stream_socket {
  public:
    stream_socket() noexcept = default;
    explicit stream_socket(socket_handle h) noexcept : handle_(std::move(h)) {}

    /// Reads up to `buf.size()` bytes: the count, 0 at end of stream, or the error.
    /// Waits until data is there. Cancel-safe: cancelled, it has read nothing.
    read_operation read(std::span<std::byte> buf) noexcept {
        return read_operation(handle_.state(), recv_call{buf}, stream_read);
    }
    /// Writes some of `buf` (at least one byte unless it is empty): the count or the error.
    /// Cancel-safe: cancelled, it has written nothing.
    write_operation write(std::span<const std::byte> buf) noexcept {
        return write_operation(handle_.state(), send_call{buf}, stream_write);
    }

    /// Waits until a read would not block (data, end of stream, or an error is there).
    eddy::detail::readiness_wait readable() noexcept { return {handle_.state(), false}; }
    /// Waits until a write would not block.
    eddy::detail::readiness_wait writable() noexcept { return {handle_.state(), true}; }

    /// Reads without waiting: the count, 0 at end of stream, `errc::would_block`, or the error.
    result<std::size_t> try_read(std::span<std::byte> buf) noexcept;
    /// Writes without waiting: the count, `errc::would_block`, or the error.
    result<std::size_t> try_write(std::span<const std::byte> buf) noexcept;

    /// Shuts down the write side (the peer reads end of stream); reads go on.
    eddy::detail::ready_value<result<void>> shutdown() noexcept;

    /// Gives the socket up without closing it: it leaves this core's reactor and the caller
    /// owns the fd. With the stream type's `from_fd` on another core, this moves a
    /// connection there (a core accepts, other cores serve).
    int into_fd() && noexcept { return handle_.release(); }

    /// The fd, for socket options eddy does not wrap. Do not close it.
    int native_handle() const noexcept { return handle_.fd(); }
    bool is_open() const noexcept { return handle_.valid(); }

  protected:
    socket_handle handle_;
};

} // namespace eddy::net::detail
