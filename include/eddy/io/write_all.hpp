// `write_all(w, bytes)`: write every byte, however many writes it takes.
//
//     co_await eddy::io::write_all(stream, std::as_bytes(std::span(text)));
//
// Not cancel-safe: cancelled midway, a prefix of `bytes` may have been written.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/runtime/task.hpp"

namespace eddy::io {

template <async_writer W> task<result<void>> write_all(W& w, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        auto n = co_await w.write(bytes);
        if (!n) co_return std::move(n).error();
        bytes = bytes.subspan(*n);
    }
    co_return ok();
}

} // namespace eddy::io
