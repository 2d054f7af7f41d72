// `copy_bidirectional(a, b)`: a proxy between two streams. Bytes from `a` go to `b` and from
// `b` to `a`, at the same time. When one side ends its stream, the other side's write half
// is shut down (the half-close is passed on) and the other direction keeps going; the call
// ends when both directions have ended, or at the first error.
//
//     auto counts = co_await eddy::io::copy_bidirectional(client, upstream);
//     // result<std::pair<std::uint64_t, std::uint64_t>>: bytes a->b and b->a
//
// The two directions run as the children of a `try_when_all` on the calling core: the first
// error cancels the other direction. A stream must allow a read and a write to wait at once
// (every eddy stream does). Cancelling the call cancels both directions; what they had read
// and not yet written is lost.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/io/copy.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/task/when_all.hpp"

#include <cstdint>
#include <utility>

namespace eddy::io {

namespace detail {

/// One direction: copies until `from` ends, then passes the half-close on to `to`.
template <class R, class W> task<result<std::uint64_t>> one_way(R& from, W& to) {
    auto copied = co_await copy(from, to);
    if (!copied) co_return std::move(copied);
    if (auto closed = co_await to.shutdown(); !closed) co_return std::move(closed).error();
    co_return std::move(copied);
}

} // namespace detail

/// Copies `a` to `b` and `b` to `a` at once, passing each end of stream on as a shutdown of
/// the other side's writing: the bytes copied each way (a to b, b to a), once both
/// directions have ended, or the first error of any read, write or shutdown (the other
/// direction is then cancelled). Both streams must outlive the task. Not cancel-safe:
/// cancelled, what each direction had read and not yet written is lost.
template <class A, class B>
    requires async_reader<A> && async_writer<A> && async_reader<B> && async_writer<B>
        task<result<std::pair<std::uint64_t, std::uint64_t>>> copy_bidirectional(A& a, B& b) {
        auto counts = co_await try_when_all(detail::one_way(a, b), detail::one_way(b, a));
        if (!counts) co_return std::move(counts).error();
        const auto [a_to_b, b_to_a] = *counts;
        co_return std::pair{a_to_b, b_to_a};
    }

} // namespace eddy::io
