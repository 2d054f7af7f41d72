// How a waiting coroutine is cancelled (by `timeout`, `join_handle::abort`, or shutdown).
//
// A canceller calls the awaiter's `cancel()`. It answers true when the operation was
// withdrawn (the coroutine will not be resumed by it, and may be destroyed), false when it
// cannot be withdrawn now: the operation already completed and the coroutine is queued to
// run with its result, or the task is on another core. A `cancel_request` says who asks, so
// a canceller that was told "not now" is tried again: on the next loop turn (the task has
// run on to its next suspension by then) or when a task that was away comes back.
//
// An awaiter may offer `cancel()` (plain: withdraw if nothing happened yet) and/or
// `cancel(cancel_request&)` (it passes the request on: tasks, timeouts, hops). Awaiters with
// neither are safe to destroy while they wait, and are cancelled that way.
#pragma once

#include "eddy/runtime/detail/intrusive_list.hpp"

#include <atomic>
#include <concepts>

namespace eddy::detail {

class scheduler;
class task_promise_base;

/// A loop-turn callback: runs once at the start of the owning core's next turn.
class deferred_call : public list_hook {
  public:
    void (*run)(deferred_call*) = nullptr;
};

/// Who asks for a cancellation, so that a refusal can be retried.
class cancel_request : public deferred_call {
  public:
    cancel_request() = default;
    ~cancel_request() { withdraw(); }

    /// Destroy even an operation that completed (its result is lost with the task): what
    /// `abort` does. A timeout is not forced, so a result that arrived is never dropped.
    bool force = false;
    scheduler* owner = nullptr;

    /// Runs `run` at the start of the owner's next turn.
    void retry_next_turn() noexcept;
    /// True while registered with a task that is away (it will call back when it returns).
    bool waiting_for_return() const noexcept { return registered_at_ != nullptr; }
    /// Stops waiting: no retry will come.
    void withdraw() noexcept;

  private:
    friend class task_promise_base;
    task_promise_base* registered_at_ = nullptr;
    cancel_request* next_pending_ = nullptr;
};

/// The type-erased view of the awaiter a task is suspended on.
class tracked_wait {
  public:
    bool (*cancel)(tracked_wait*, cancel_request&) = nullptr;
};

template <class Awaiter>
concept cancellable_by_request = requires(Awaiter& a, cancel_request& r) {
    { a.cancel(r) } -> std::same_as<bool>;
};

template <class Awaiter>
concept cancellable_plain = requires(Awaiter& a) {
    { a.cancel() } -> std::same_as<bool>;
};

/// Cancels any awaiter the way the protocol above says.
template <class Awaiter> bool cancel_awaiter(Awaiter& a, cancel_request& r) noexcept {
    if constexpr (cancellable_by_request<Awaiter>)
        return a.cancel(r);
    else if constexpr (cancellable_plain<Awaiter>)
        return r.force || a.cancel();
    else
        return true;
}

} // namespace eddy::detail
