// The reader/writer model every eddy I/O algorithm is written against.
//
// An `async_reader` has `read(std::span<std::byte>)`, awaitable to `result<std::size_t>`
// (0 = end of stream). An `async_writer` has `write(std::span<const std::byte>)`, awaitable
// to `result<std::size_t>`, and `shutdown()`, awaitable to `result<void>` (no more writes;
// the reader on the other end sees end of stream). TCP streams, their halves, and (later)
// Unix streams and files all model them.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/awaitable_traits.hpp"

#include <concepts>
#include <cstddef>
#include <span>

namespace eddy::io {

template <class R>
concept async_reader = requires(R& r, std::span<std::byte> buf) {
    requires std::same_as<eddy::detail::await_result_t<decltype(r.read(buf))>, result<std::size_t>>;
};

template <class W>
concept async_writer = requires(W& w, std::span<const std::byte> buf) {
    requires std::same_as<eddy::detail::await_result_t<decltype(w.write(buf))>,
                          result<std::size_t>>;
    requires std::same_as<eddy::detail::await_result_t<decltype(w.shutdown())>, result<void>>;
};

} // namespace eddy::io
