// `timeout(d, op)`: await `op`, but give up after `d`.
//
//     auto n = co_await eddy::timeout(5s, stream.read(buf));   // result<std::size_t>
//     if (!n && n.error() == eddy::errc::timed_out) { ... }
//
// `op` is any cancellable awaitable: eddy's I/O operations, sleeps, interval ticks, tasks (a
// task that times out is destroyed, with every operation it waits on), and join handles (the
// task runs on; only the wait for it ends). An lvalue `op` is awaited in place, so a handle
// given as `timeout(d, handle)` can be awaited again; an rvalue is moved in. On expiry the
// operation is withdrawn before the awaiter resumes, so no later event touches it. The
// result is `result<T>` for an operation giving `result<T>` or `T`, with
// `errc::timed_out` when the time ran out first.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/awaitable_traits.hpp"
#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/time/sleep.hpp"

#include <chrono>
#include <optional>
#include <type_traits>
#include <utility>

namespace eddy {

template <class T> class task;

namespace detail {

template <class T> struct as_result { using type = result<T>; };
template <class T> struct as_result<result<T>> { using type = result<T>; };

template <class T> struct is_task_type : std::false_type {};
template <class T> struct is_task_type<eddy::task<T>> : std::true_type {};

template <class Op> class timeout_awaiter : private timer_node {
    using inner_type = awaiter_t<Op&>;
    static_assert(cancellable_plain<inner_type> || cancellable_by_request<inner_type>,
                  "timeout() needs an operation that can be cancelled (it has cancel())");
    // A task that times out is destroyed: it cannot be awaited again, so it is given by
    // value (timeout(d, std::move(t)) or timeout(d, make_task())).
    static_assert(!(std::is_lvalue_reference_v<Op> && is_task_type<std::remove_cvref_t<Op>>::value),
                  "timeout(d, t) of a task lvalue: pass std::move(t) (a timed-out task is gone)");

  public:
    using output = typename as_result<await_result_t<Op&>>::type;

    timeout_awaiter(clock::time_point deadline, Op&& op)
        : op_(std::forward<Op>(op)), deadline_(deadline) {}
    timeout_awaiter(const timeout_awaiter&) = delete;
    timeout_awaiter& operator=(const timeout_awaiter&) = delete;
    ~timeout_awaiter() {
        if (owner_) owner_->remove_timer(*this);
    }

    bool await_ready() {
        if constexpr (wraps) inner_.emplace(op_.operator co_await());
        return inner().await_ready();
    }

    std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
        owner_ = &current_scheduler();
        node_.handle = h;
        on_expire = &expire;
        retry_.owner = owner_;
        retry_.run = &retry;
        retry_.self = this;
        // Armed first: the operation may start a task that runs as soon as we return.
        owner_->add_timer(*this, deadline_);
        std::coroutine_handle<> next = suspend_into(inner(), h);
        if (!next) {
            owner_->remove_timer(*this);
            return h;
        }
        return next;
    }

    output await_resume() {
        if (owner_) owner_->remove_timer(*this);
        retry_.withdraw();
        if (timed_out_) return errc::timed_out;
        if constexpr (std::is_void_v<await_result_t<Op&>>) {
            inner().await_resume();
            return {};
        } else {
            return inner().await_resume();
        }
    }

    /// Cancelling the timeout cancels the operation it guards (a nested timeout, or a
    /// task that contains one, passes the cancellation on).
    bool cancel(cancel_request& r) noexcept {
        if (timed_out_) return r.force; // queued to report the timeout
        if (!cancel_awaiter(inner(), r)) return false;
        if (owner_) owner_->remove_timer(*this);
        retry_.withdraw();
        return true;
    }

  private:
    // An operation with `operator co_await` (a task) is awaited through the awaiter it gives;
    // otherwise the operation is its own awaiter.
    static constexpr bool wraps = has_member_co_await<Op&>;
    inner_type& inner() noexcept {
        if constexpr (wraps)
            return *inner_;
        else
            return op_;
    }

    // The deadline passed. If the operation cannot be withdrawn now (it completed and is
    // queued, or it is a task that is on another core), `retry_` tries again: next turn, or
    // when the task comes back. Meanwhile a completed operation resumes us normally.
    void try_to_expire() noexcept {
        if (!cancel_awaiter(inner(), retry_)) {
            if (!retry_.waiting_for_return()) retry_.retry_next_turn();
            return;
        }
        timed_out_ = true;
        owner_->schedule(node_);
    }
    static void expire(timer_node* t) { static_cast<timeout_awaiter*>(t)->try_to_expire(); }
    static void retry(deferred_call* d) {
        static_cast<retry_request*>(static_cast<cancel_request*>(d))->self->try_to_expire();
    }
    struct retry_request : cancel_request {
        timeout_awaiter* self = nullptr;
    };

    Op op_; // a reference for an lvalue operation
    std::optional<std::conditional_t<wraps, inner_type, char>> inner_;
    clock::time_point deadline_;
    scheduler* owner_ = nullptr;
    ready_node node_;
    bool timed_out_ = false;
    // Declared after the operation, so it is withdrawn before the operation is destroyed.
    retry_request retry_;
};

} // namespace detail

/// Awaits `op` for at most `d`; see the top of this header. Gives `result<T>`: `op`'s outcome,
/// or `errc::timed_out` (with `op` withdrawn) when `d` elapsed first. `op` must be
/// cancellable (checked at compile time), and a task must be passed as an rvalue. When the
/// runtime stops, the timeout fires at once, so an operation the stop does not end first (a
/// channel or `sync` wait, a join handle, a sleep due after the timeout) gives
/// `errc::timed_out`; I/O gives `errc::operation_canceled`. Cancelling the timeout itself (an
/// abort, an outer timeout) cancels `op` with it.
template <class Rep, class Period, class Op>
detail::timeout_awaiter<Op> timeout(std::chrono::duration<Rep, Period> d, Op&& op) {
    return detail::timeout_awaiter<Op>(clock::now() + std::chrono::ceil<clock::duration>(d),
                                       std::forward<Op>(op));
}

} // namespace eddy
