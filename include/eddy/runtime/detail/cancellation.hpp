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
#include <utility>

namespace eddy::detail {

class scheduler;
class task_promise_base;

/// A loop-turn callback: runs once at the start of the owning core's next turn.
class deferred_call : public list_hook {
  public:
    void (*run)(deferred_call*) = nullptr;
};

class cancel_callback;

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
    /// True while something will call back, so there is no need to retry every turn: a
    /// task that is away (when it returns), or an operation that waits for another core's
    /// answer before it can be withdrawn (see `cancel_callback`).
    bool waiting_for_return() const noexcept {
        return registered_at_ != nullptr || callback_ != nullptr;
    }
    /// Stops waiting: no retry will come.
    void withdraw() noexcept;

  private:
    friend class task_promise_base;
    friend class cancel_callback;
    task_promise_base* registered_at_ = nullptr;
    cancel_request* next_pending_ = nullptr;
    cancel_callback* callback_ = nullptr;
};

/// Kept by an operation that refused a cancellation for now ("not yet") and will know when
/// it can be withdrawn: `fire()` then retries the request on its owner's next turn, instead
/// of the request retrying every turn. Both live on the same core; whichever goes first
/// unhooks the other.
class cancel_callback {
  public:
    cancel_callback() = default;
    cancel_callback(const cancel_callback&) = delete;
    cancel_callback& operator=(const cancel_callback&) = delete;
    ~cancel_callback() { forget(); }

    /// Remembers `r` for `fire()` (a request is remembered by one callback at a time). A
    /// request that was remembered before (two cancellers at once: a group withdrawing a
    /// child while the group itself is aborted) is not dropped: it tries again next turn.
    void arm(cancel_request& r) noexcept {
        if (request_ == &r) return;
        if (cancel_request* before = request_) {
            forget();
            before->retry_next_turn();
        }
        if (r.callback_) r.callback_->request_ = nullptr;
        request_ = &r;
        r.callback_ = this;
    }
    /// The operation can be withdrawn now: the request tries again next turn.
    void fire() noexcept {
        if (cancel_request* r = request_) {
            forget();
            r->retry_next_turn();
        }
    }
    void forget() noexcept {
        if (request_) std::exchange(request_, nullptr)->callback_ = nullptr;
    }

  private:
    friend class cancel_request;
    cancel_request* request_ = nullptr;
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
