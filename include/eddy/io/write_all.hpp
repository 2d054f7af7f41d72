// `write_all(w, bytes)`: write every byte, however many writes it takes.
//
//     co_await eddy::io::write_all(stream, std::as_bytes(std::span(data)));
//     co_await eddy::io::write_all(stream, "hello\n");      // text: a std::string_view
//
// The bytes (or the text) must stay alive until the write_all has completed.
// Not cancel-safe: cancelled midway, a prefix of `bytes` may have been written.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/runtime/task.hpp"

#include <span>
#include <string_view>

namespace eddy::io {

/// Writes all of `bytes`, in as many writes as it takes: ok, or the writer's first error (a
/// prefix of `bytes`, of unknown length, has then been written). Not cancel-safe: see the
/// top of this header.
template <async_writer W> task<result<void>> write_all(W& w, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        auto n = co_await w.write(bytes);
        if (!n) co_return std::move(n).error();
        bytes = bytes.subspan(*n);
    }
    co_return ok();
}

/// `write_all` of the bytes of `text`, which must stay alive until it has completed.
template <async_writer W> task<result<void>> write_all(W& w, std::string_view text) {
    return write_all(w, std::as_bytes(std::span(text.data(), text.size())));
}

} // namespace eddy::io
