// `copy_bidirectional(a, b)`: a proxy between two streams. Bytes from `a` go to `b` and from
// `b` to `a`, at the same time. When one side ends its stream, the other side's write half
// is shut down (the half-close is passed on) and the other direction keeps going; the call
// ends when both directions have ended, or at the first error.
//
//     auto counts = co_await eddy::io::copy_bidirectional(client, upstream);
//     // result<std::pair<std::uint64_t, std::uint64_t>>: bytes a->b and b->a
//
// Each direction runs as its own task on the calling core; a stream must allow a read and
// a write to wait at once (every eddy stream does). Cancelling the call cancels both
// directions.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/io/copy.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"

#include <cstdint>
#include <optional>
#include <utility>

namespace eddy::io {

namespace detail {

/// What the two directions report to the call that waits for them.
class bidi_progress {
  public:
    bool settled() const noexcept { return finished_ == 2 || failure_.has_value(); }
    const std::optional<error>& failure() const noexcept { return failure_; }

    void finish(std::optional<error> failure) {
        ++finished_;
        if (failure && !failure_) failure_ = std::move(failure);
        if (waiter_ && settled())
            eddy::detail::current_scheduler().schedule(*std::exchange(waiter_, nullptr));
    }

    /// Awaits `settled()`.
    class wait {
      public:
        explicit wait(bidi_progress& p) noexcept : progress_(&p) {}
        wait(const wait&) = delete;
        wait& operator=(const wait&) = delete;
        ~wait() {
            if (progress_->waiter_ == &node_) progress_->waiter_ = nullptr;
        }
        bool await_ready() const noexcept { return progress_->settled(); }
        void await_suspend(std::coroutine_handle<> h) noexcept {
            node_.handle = h;
            progress_->waiter_ = &node_;
        }
        void await_resume() const noexcept {}

      private:
        bidi_progress* progress_;
        eddy::detail::ready_node node_;
    };

  private:
    int finished_ = 0;
    std::optional<error> failure_;
    eddy::detail::ready_node* waiter_ = nullptr;
};

template <class R, class W>
task<> one_way(R& from, W& to, std::uint64_t& count, bidi_progress& progress) {
    auto copied = co_await copy(from, to);
    if (!copied) {
        progress.finish(std::move(copied).error());
        co_return;
    }
    count = *copied;
    auto closed = co_await to.shutdown(); // pass the half-close on
    progress.finish(closed ? std::nullopt : std::optional<error>(std::move(closed).error()));
}

/// Aborts both directions when the call ends early (an error, or the call is cancelled).
struct abort_both {
    join_handle<void>& first;
    join_handle<void>& second;
    ~abort_both() {
        first.abort();
        second.abort();
    }
};

} // namespace detail

template <class A, class B>
    requires async_reader<A> && async_writer<A> && async_reader<B> && async_writer<B>
        task<result<std::pair<std::uint64_t, std::uint64_t>>> copy_bidirectional(A& a, B& b) {
        detail::bidi_progress progress;
        std::uint64_t a_to_b = 0, b_to_a = 0;
        auto forward = spawn(detail::one_way(a, b, a_to_b, progress));
        auto backward = spawn(detail::one_way(b, a, b_to_a, progress));
        detail::abort_both guard{forward, backward};
        co_await detail::bidi_progress::wait(progress);
        if (progress.failure()) co_return *progress.failure();
        co_return std::pair{a_to_b, b_to_a};
    }

} // namespace eddy::io
