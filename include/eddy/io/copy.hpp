// `copy(r, w)`: move everything from a reader to a writer until the reader's end of stream.
//
//     auto [rd, wr] = stream.split();
//     auto n = co_await eddy::io::copy(rd, wr);        // an echo: result<std::uint64_t>
//
// Gives the number of bytes copied. It does not shut down `w` at the end (use
// `copy_bidirectional` for a proxy). Uses one 16 KiB buffer. Not cancel-safe: cancelled, up
// to one buffer of data read but not yet written is lost.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/io/write_all.hpp"
#include "eddy/runtime/task.hpp"

#include <cstdint>
#include <memory>

namespace eddy::io {

inline constexpr std::size_t copy_buffer_size = 16 * 1024;

template <async_reader R, async_writer W> task<result<std::uint64_t>> copy(R& r, W& w) {
    auto buffer = std::make_unique_for_overwrite<std::byte[]>(copy_buffer_size);
    const std::span<std::byte> buf(buffer.get(), copy_buffer_size);
    std::uint64_t total = 0;
    for (;;) {
        auto n = co_await r.read(buf);
        if (!n) co_return std::move(n).error();
        if (*n == 0) co_return total;
        if (auto written = co_await write_all(w, buf.first(*n)); !written)
            co_return std::move(written).error();
        total += *n;
    }
}

} // namespace eddy::io
