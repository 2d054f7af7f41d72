// `copy(r, w)`: move everything from a reader to a writer until the reader's end of stream.
//
//     auto [rd, wr] = stream.split();
//     auto n = co_await eddy::io::copy(rd, wr);        // an echo: result<std::uint64_t>
//
// Gives the number of bytes copied, or the first error. It does not shut down `w` at the end
// (use `copy_bidirectional` for a proxy).
//
// Memory: between a socket (or a half) and a socket, a copy that waits holds no buffer. It
// waits until the reader is readable, reads into its core's scratch buffer, and writes the
// bytes straight out; only what the writer does not take at once goes into a buffer of the
// copy's own, freed once written. Other readers and writers (files, stdio) are copied through
// one 16 KiB buffer that the copy holds while it runs.
//
// Not cancel-safe: cancelled, what was read and not yet written is lost (at most the part
// the writer did not take, or one buffer). A byte is read only when it can be written or kept
// at once: nothing waits in the shared scratch buffer.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/io/write_all.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/task.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace eddy::io {

/// The size of the buffer `copy` holds while it runs, unless both ends are sockets.
inline constexpr std::size_t copy_buffer_size = 16 * 1024;

namespace detail {

/// One pass without suspending: reads what `r` has into the core's scratch buffer and writes
/// as much as `w` takes. Gives the count read (0: end of stream), `errc::would_block` (the
/// readiness was stale), or the error; `rest` is what `w` did not take, still in the scratch
/// buffer, which the caller must write or copy before it suspends.
template <readiness_reader R, nonblocking_writer W>
result<std::size_t> read_and_write(R& r, W& w, std::span<const std::byte>& rest) {
    const std::span<std::byte> buf = eddy::detail::current_scheduler().scratch();
    auto n = r.try_read(buf);
    if (!n || *n == 0) return n;
    const std::span<const std::byte> data = buf.first(*n);
    auto written = w.try_write(data);
    if (!written && written.error() != errc::would_block) return std::move(written).error();
    rest = data.subspan(written ? *written : 0);
    return n;
}

/// Writes `rest` (in the scratch buffer) to `w`: copies it into a buffer of its own before
/// its first suspension, so the scratch buffer is free again when the caller's task yields.
/// The copy runs as soon as this task is awaited (tasks start inside `co_await`).
template <async_writer W> task<result<void>> write_rest(W& w, std::span<const std::byte> rest) {
    const std::vector<std::byte> own(rest.begin(), rest.end());
    co_return co_await write_all(w, own);
}

template <readiness_reader R, nonblocking_writer W>
task<result<std::uint64_t>> copy_through_scratch(R& r, W& w) {
    std::uint64_t total = 0;
    for (;;) {
        if (auto ready = co_await r.readable(); !ready) co_return std::move(ready).error();
        std::span<const std::byte> rest;
        auto n = read_and_write(r, w, rest);
        if (!n) {
            if (n.error() == errc::would_block) continue;
            co_return std::move(n).error();
        }
        if (*n == 0) co_return total;
        total += *n;
        if (rest.empty()) continue;
        if (auto written = co_await write_rest(w, rest); !written)
            co_return std::move(written).error();
    }
}

template <async_reader R, async_writer W>
task<result<std::uint64_t>> copy_through_buffer(R& r, W& w) {
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

} // namespace detail

/// Copies from `r` to `w` until `r`'s end of stream: the number of bytes copied, or the first
/// error of either (bytes read and not yet written are then lost). Does not shut down `w`.
/// Both must outlive the task. Not cancel-safe: see the top of this header.
template <async_reader R, async_writer W> task<result<std::uint64_t>> copy(R& r, W& w) {
    if constexpr (readiness_reader<R> && nonblocking_writer<W>)
        return detail::copy_through_scratch(r, w);
    else
        return detail::copy_through_buffer(r, w);
}

} // namespace eddy::io
