// `read_exact(r, buf)`: fill `buf` completely, or fail with `errc::unexpected_eof` if the
// stream ends first.
//
//     std::array<std::byte, 4> header;
//     if (auto ok = co_await eddy::io::read_exact(stream, header); !ok) co_return ok.error();
//
// Not cancel-safe: cancelled midway, some bytes have been consumed into `buf`.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/runtime/task.hpp"

namespace eddy::io {

/// Reads until `buf` is full: ok, `errc::unexpected_eof` if the stream ends first, or the
/// reader's error (`buf` then holds what came, up to an unknown point). `r` and `buf` must
/// outlive the task. Not cancel-safe: see the top of this header.
template <async_reader R> task<result<void>> read_exact(R& r, std::span<std::byte> buf) {
    while (!buf.empty()) {
        auto n = co_await r.read(buf);
        if (!n) co_return std::move(n).error();
        if (*n == 0) co_return errc::unexpected_eof;
        buf = buf.subspan(*n);
    }
    co_return ok();
}

} // namespace eddy::io
