// `io::stdin()`, `io::stdout()`, `io::stderr()`: the process's standard streams as an
// `async_reader` / `async_writer` that never block a core.
//
//     auto in = eddy::io::stdin();
//     auto out = eddy::io::stdout();
//     co_await eddy::io::copy(in, out);                  // cat
//
// Each call makes a private handle on fd 0, 1 or 2, on the calling core (use it there):
// - a pipe, FIFO or terminal is reopened through /proc/self/fd/N with O_NONBLOCK, a file
//   description of its own, and waits on the core's reactor. The O_NONBLOCK flag of the
//   description the process shares with its shell is never touched;
// - a socket is dup()ed and used with MSG_DONTWAIT (a write never raises SIGPIPE);
// - anything epoll cannot watch (a regular file, /dev/null) or that cannot be reopened
//   runs as blocking calls of at most 64 KiB on the blocking pool, on a dup() that shares
//   the file offset. Such a call holds a pool thread while it blocks (a read from a
//   terminal that could not be reopened waits for input there).
// `mode()` says which. A closed fd gives a handle whose every call fails naming the stream.
// A pipe write whose reader is gone raises SIGPIPE unless the program ignores it, as for
// any program writing to a pipe. These names are macros in C; glibc defines them as
// themselves, which is what lets `io::stdin()` compile.
#pragma once

#include "eddy/io/detail/stdio_channel.hpp"
#include "eddy/io/stdio_mode.hpp"
#include "eddy/runtime/detail/completed.hpp"

#include <cstddef>
#include <span>

namespace eddy::io {

/// Standard input, from `io::stdin()`.
class standard_input {
  public:
    /// Reads up to `buf.size()` bytes: the count, 0 at end of stream, or the error (its
    /// context "stdin"). Cancel-safe on the reactor (readiness, socket): cancelled, it has
    /// read nothing. On the blocking pool a cancelled read may still consume input, which
    /// is then lost; the caller's buffer is never touched after cancellation.
    detail::stdio_operation<false> read(std::span<std::byte> buf) noexcept {
        return {channel_, buf};
    }
    /// How this handle does its I/O.
    stdio_mode mode() const noexcept { return channel_.mode(); }

  private:
    friend standard_input stdin();
    explicit standard_input(detail::stdio_channel ch) noexcept : channel_(std::move(ch)) {}
    detail::stdio_channel channel_;
};

/// Standard output or error, from `io::stdout()` / `io::stderr()`. Writes go straight to
/// the fd (no buffering here; wrap it in a `buffered_writer` for that).
class standard_output {
  public:
    /// Writes some of `buf` (on the blocking pool at most 64 KiB): the count or the error
    /// (its context "stdout" or "stderr"). Cancel-safe on the reactor: cancelled, it has
    /// written nothing. On the blocking pool a cancelled write may still happen, from a
    /// copy of the bytes.
    detail::stdio_operation<true> write(std::span<const std::byte> buf) noexcept {
        return {channel_, buf};
    }

    /// Closes eddy's private handle; later writes fail. It does NOT close fd 1 (or 2): a
    /// reader of the pipe or socket sees end of stream only once fd 1, and every other
    /// descriptor of it (in this process or another), is closed too. Never fails.
    eddy::detail::completed<result<void>> shutdown() noexcept {
        channel_.close();
        return eddy::detail::completed<result<void>>(result<void>{});
    }
    /// How this handle does its I/O (`stdio_mode::unavailable` once shut down).
    stdio_mode mode() const noexcept { return channel_.mode(); }

  private:
    friend standard_output stdout();
    friend standard_output stderr();
    explicit standard_output(detail::stdio_channel ch) noexcept : channel_(std::move(ch)) {}
    detail::stdio_channel channel_;
};

/// A handle on fd 0; see the top of this header. Call it on a core. It never fails: on a
/// closed or unusable fd the handle is `stdio_mode::unavailable` and its every read gives
/// the error, naming the stream.
standard_input stdin();
/// A handle on fd 1; as `stdin()`.
standard_output stdout();
/// A handle on fd 2; as `stdin()`.
standard_output stderr();

} // namespace eddy::io
