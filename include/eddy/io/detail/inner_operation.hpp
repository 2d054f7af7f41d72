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

#include <cassert>
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
        const bool withdrawn = get().cancel();
        if (withdrawn) waiting_ = false;
        return withdrawn;
    }

    /// The result of an operation that completed while its coroutine was not resumed, or
    /// nothing (not started, withdrawn, already resumed, or not cancellable so unknown).
    std::optional<result_type> take_unclaimed() {
        if constexpr (cancellable) {
            if (!waiting_ || cancel()) return std::nullopt;
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
