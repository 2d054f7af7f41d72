// Sleeping: `co_await eddy::sleep_for(100ms)` or `co_await eddy::sleep_until(deadline)`.
//
//     auto slept = co_await eddy::sleep_for(250ms);          // result<void>
//     if (!slept) co_return;                                 // operation_canceled: stopping
//     co_await eddy::sleep_until(eddy::clock::now() + 1s);
//
// Timers belong to the calling core (a binary heap per core; the reactor sleeps until the
// nearest one). Resolution is about a millisecond: a sleep never ends early, and may end a
// little late under load. A sleep whose deadline has passed completes at once but counts
// against the task's coop budget, so `for (;;) co_await sleep_for(0ms);` still lets the
// core's other tasks run. When the runtime stops, sleeps end at once with
// `errc::operation_canceled`. Cancel-safe.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"

#include <chrono>
#include <coroutine>

namespace eddy {

/// The clock of every eddy timer, deadline and timeout.
using clock = std::chrono::steady_clock;

namespace detail {

class sleep_awaiter : private timer_node {
  public:
    explicit sleep_awaiter(clock::time_point deadline) noexcept : deadline_(deadline) {}
    // Movable until it is awaited (so it can be handed to `timeout`).
    sleep_awaiter(sleep_awaiter&& o) noexcept : timer_node(), deadline_(o.deadline_) {}
    sleep_awaiter& operator=(sleep_awaiter&&) = delete;
    ~sleep_awaiter() {
        if (owner_) owner_->remove_timer(*this);
    }

    bool await_ready() noexcept {
        owner_ = &current_scheduler();
        if (owner_->stopping()) return canceled_ = true;
        if (deadline_ > clock::now()) return false;
        // Elapsed already: it counts against the coop budget as an I/O operation that
        // succeeds at once does, so a loop of elapsed sleeps still lets others run.
        if (owner_->coop_consume()) return true;
        yielded_ = true;
        return false;
    }
    void await_suspend(std::coroutine_handle<> h) {
        node_.handle = h;
        if (yielded_) {
            owner_->schedule(node_);
            return;
        }
        on_expire = [](timer_node* t) {
            auto* self = static_cast<sleep_awaiter*>(t);
            if (self->owner_->stopping()) self->canceled_ = true;
            self->owner_->schedule(self->node_);
        };
        owner_->add_timer(*this, deadline_);
    }
    /// Nothing, or `operation_canceled` when the runtime is stopping.
    result<void> await_resume() const noexcept {
        if (canceled_) return errc::operation_canceled;
        return {};
    }

    bool cancel() noexcept {
        if (!armed()) return false; // elapsed: queued to resume
        owner_->remove_timer(*this);
        return true;
    }

  private:
    clock::time_point deadline_;
    scheduler* owner_ = nullptr;
    ready_node node_;
    bool yielded_ = false;
    bool canceled_ = false;
};

} // namespace detail

/// Completes at `deadline` (at once if it has passed): `co_await` gives `result<void>`,
/// `errc::operation_canceled` when the runtime is stopping. Cancel-safe.
inline detail::sleep_awaiter sleep_until(clock::time_point deadline) noexcept {
    return detail::sleep_awaiter(deadline);
}

/// Completes after `d` has elapsed (rounded up to the clock's tick); as `sleep_until`.
template <class Rep, class Period>
detail::sleep_awaiter sleep_for(std::chrono::duration<Rep, Period> d) noexcept {
    return detail::sleep_awaiter(clock::now() + std::chrono::ceil<clock::duration>(d));
}

} // namespace eddy
