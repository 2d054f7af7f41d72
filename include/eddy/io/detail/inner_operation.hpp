// An operation on a wrapped stream, awaited from inside an adapter's own awaiter (a
// buffered reader's fill, a buffered writer's flush step). It is made in place when the
// outer awaiter starts, so it never moves once it runs, and `cancel()` passes through, so
// `timeout(d, reader.fill_buf())` withdraws the inner read exactly as it would a bare one.
//
// `take_unclaimed()` closes the last gap: an operation that completed (bytes moved) but
// whose coroutine was destroyed before it resumed (its task was aborted while queued).
// The outer awaiter calls it from its destructor and accounts the bytes, so a buffer never
// forgets data that left the kernel.
#pragma once

#include "eddy/runtime/detail/awaitable_traits.hpp"
#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/task.hpp"

#include <cassert>
#include <concepts>
#include <coroutine>
#include <optional>
#include <utility>

namespace eddy::io::detail {

template <class Op> class inner_operation {
    static constexpr bool wraps = eddy::detail::has_member_co_await<Op&>;
    using awaiter_type = eddy::detail::awaiter_t<Op&>;

  public:
    using result_type = eddy::detail::await_result_t<Op&>;
    static constexpr bool cancellable = eddy::detail::cancellable_awaiter<awaiter_type>;
    static constexpr bool is_task = requires(Op & op) {
        { op.done() } -> std::same_as<bool>;
        op.release();
    };

    inner_operation() noexcept = default;
    /// Only an operation that has not started can move (a `timeout` takes its operand by
    /// value before awaiting it).
    inner_operation([[maybe_unused]] inner_operation&& o) noexcept {
        assert(!o.op_ && "moving a started operation");
    }
    inner_operation& operator=(inner_operation&&) = delete;

    bool started() const noexcept { return op_.has_value(); }

    /// Takes `op` and tries it; true when it completed without waiting.
    bool start(Op op) {
        op_.emplace(std::move(op));
        if constexpr (wraps) awaiter_.emplace(op_->operator co_await());
        return get().await_ready();
    }

    /// Suspends `h` on the operation; gives what to resume next (`h` itself when the
    /// operation completed inside its own await_suspend).
    std::coroutine_handle<> suspend(std::coroutine_handle<> h) {
        std::coroutine_handle<> next = eddy::detail::suspend_into(get(), h);
        if (!next) return h;
        waiting_ = true;
        return next;
    }

    result_type resume() {
        waiting_ = false;
        return get().await_resume();
    }

    bool cancel() noexcept requires cancellable {
        eddy::detail::cancel_request once;
        return cancel(once);
    }
    /// Passes a cancellation on (so that an abort, or a task that is on another core, is
    /// handled by the operation itself).
    bool cancel(eddy::detail::cancel_request& r) noexcept {
        if constexpr (eddy::detail::cancellable_by_request<awaiter_type>) {
            const bool withdrawn = get().cancel(r);
            if (withdrawn) waiting_ = false;
            return withdrawn;
        } else if constexpr (cancellable) {
            // Asked even when forced: if it completed, `waiting_` stays set, so the owner's
            // destructor takes the result (`take_unclaimed`) and accounts its bytes.
            const bool withdrawn = get().cancel();
            if (withdrawn) waiting_ = false;
            return withdrawn || r.force;
        } else {
            return true;
        }
    }

    /// The result of an operation that completed while its coroutine was not resumed, or
    /// nothing (not started, withdrawn, already resumed, not cancellable so unknown, or a
    /// task that has not finished: its frame goes, and what it had is lost with it).
    std::optional<result_type> take_unclaimed() {
        if constexpr (cancellable) {
            if (!waiting_ || cancel()) return std::nullopt;
            if constexpr (is_task) {
                // (A task on another core is not looked at: its frame belongs to that thread.)
                const auto* promise = eddy::detail::promise_of(*op_);
                if (!promise || promise->away() || !op_->done()) return std::nullopt;
            }
            return resume();
        } else {
            return std::nullopt;
        }
    }

  private:
    awaiter_type& get() noexcept {
        if constexpr (wraps)
            return *awaiter_;
        else
            return *op_;
    }

    std::optional<Op> op_;
    std::optional<std::conditional_t<wraps, awaiter_type, char>> awaiter_;
    bool waiting_ = false;
};

} // namespace eddy::io::detail
