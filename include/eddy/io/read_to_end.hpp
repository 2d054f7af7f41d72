// `read_to_end(r, out, limit)`: append everything up to end of stream to `out`.
//
//     std::vector<std::byte> body;
//     auto n = co_await eddy::io::read_to_end(stream, body, 1 << 20);   // at most 1 MiB
//
// Gives the number of bytes appended; `errc::too_large` once more than `limit` bytes came
// (what arrived stays in `out`), so a peer cannot make it grow without bound.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/runtime/task.hpp"

#include <cstdint>
#include <limits>
#include <vector>

namespace eddy::io {

/// Appends what `r` gives to `out` until end of stream, and gives the number of bytes
/// appended. Errors: `errc::too_large` once more than `limit` bytes came (they stay in `out`,
/// one more than `limit` at most), or the reader's error (what came before it stays in
/// `out`). `r` and `out` must outlive the task. Not cancel-safe: cancelled while it waits,
/// `out` also keeps the zeroed room it had made for the read that was cut off (up to 16 KiB,
/// or one more byte than what `limit` still allowed).
template <async_reader R>
task<result<std::size_t>> read_to_end(R& r, std::vector<std::byte>& out,
                                      std::size_t limit = std::numeric_limits<std::size_t>::max()) {
    constexpr std::size_t chunk = 16 * 1024;
    const std::size_t start = out.size();
    for (;;) {
        // Room for one byte past the limit, so going over it is seen without reading more.
        const std::size_t allowed = limit - (out.size() - start);
        const std::size_t room = allowed < chunk ? allowed + 1 : chunk;
        out.resize(out.size() + room);
        auto n = co_await r.read(std::span(out).subspan(out.size() - room));
        const std::size_t got = n ? *n : 0;
        out.resize(out.size() - room + got);
        if (!n) co_return std::move(n).error();
        if (got == 0) co_return out.size() - start;
        if (out.size() - start > limit) co_return errc::too_large;
    }
}

} // namespace eddy::io
