// The reader/writer model every eddy I/O algorithm is written against.
//
// An `async_reader` has `read(std::span<std::byte>)`, awaitable to `result<std::size_t>`
// (0 = end of stream). An `async_writer` has `write(std::span<const std::byte>)`, awaitable
// to `result<std::size_t>`, and `shutdown()`, awaitable to `result<void>` (no more writes;
// the reader on the other end sees end of stream). TCP and Unix streams, their halves, and
// files model them. Sockets and their halves also model `readiness_reader` and
// `nonblocking_writer`, which lets `io::copy` wait without holding a buffer.
//
//     template <eddy::io::async_writer W> eddy::task<eddy::result<void>> greet(W& w) {
//         co_return co_await eddy::io::write_all(w, "hello\n");   // any writer: a socket, a file
//     }
//     static_assert(eddy::io::readiness_reader<eddy::net::tcp_stream>);
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/awaitable_traits.hpp"

#include <concepts>
#include <cstddef>
#include <span>

/// I/O over any reader and writer: the reader and writer concepts, `copy`, `copy_bidirectional`,
/// `read_exact`, `read_to_end`, `write_all`, `buffered_reader`, `buffered_writer`, `lines`,
/// and the standard streams (`stdin()`, `stdout()`, `stderr()`).
namespace eddy::io {

/// A reader: `read(buf)` awaitable to `result<std::size_t>`, the count read into `buf`
/// (0 = end of stream) or the error.
template <class R>
concept async_reader = requires(R& r, std::span<std::byte> buf) {
    requires std::same_as<eddy::detail::await_result_t<decltype(r.read(buf))>, result<std::size_t>>;
};

/// A writer: `write(buf)` awaitable to `result<std::size_t>`, the count of `buf` taken (some,
/// at least one for a non-empty `buf`) or the error; and `shutdown()` awaitable to
/// `result<void>`, after which the reader on the other end sees end of stream.
template <class W>
concept async_writer = requires(W& w, std::span<const std::byte> buf) {
    requires std::same_as<eddy::detail::await_result_t<decltype(w.write(buf))>,
                          result<std::size_t>>;
    requires std::same_as<eddy::detail::await_result_t<decltype(w.shutdown())>, result<void>>;
};

/// A reader that can wait for data without a buffer, then read without waiting (eddy's stream
/// sockets and their read halves): `readable()` awaitable to `result<void>`, and
/// `try_read(buf)` giving the count, 0 at end of stream, or `errc::would_block`.
template <class R>
concept readiness_reader = async_reader<R> && requires(R& r, std::span<std::byte> buf) {
    requires std::same_as<eddy::detail::await_result_t<decltype(r.readable())>, result<void>>;
    { r.try_read(buf) } -> std::same_as<result<std::size_t>>;
};

/// A writer that can write without waiting: `try_write(buf)` gives the count or
/// `errc::would_block`.
template <class W>
concept nonblocking_writer = async_writer<W> && requires(W& w, std::span<const std::byte> buf) {
    { w.try_write(buf) } -> std::same_as<result<std::size_t>>;
};

} // namespace eddy::io
