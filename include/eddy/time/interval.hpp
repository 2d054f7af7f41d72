// `interval`: ticks at a fixed period, for periodic work.
//
//     eddy::interval every(1s);
//     for (;;) { co_await every.tick(); report(); }
//
// The first tick completes at once; each later one at the previous deadline plus the
// period, so the ticks do not drift. A tick that is late (the core was busy) completes at
// once, and the missed ones follow without waiting until the schedule has caught up (as
// Tokio's default "burst"); late ticks count against the task's coop budget, so catching up
// still lets the core's other tasks run. Cancel-safe: a cancelled tick is not lost. When
// the runtime stops, a tick gives `errc::operation_canceled`.
#pragma once

#include "eddy/result.hpp"
#include "eddy/time/sleep.hpp"

#include <cassert>
#include <chrono>

namespace eddy {

/// A schedule of ticks `period` apart, the first one now; see the top.
class interval {
  public:
    /// Ticks every `period` (rounded up to the clock's tick; it must be positive, asserted),
    /// starting now.
    template <class Rep, class Period>
    explicit interval(std::chrono::duration<Rep, Period> period)
        : period_(std::chrono::ceil<clock::duration>(period)), next_(clock::now()) {
        assert(period_ > clock::duration::zero() && "interval: the period must be positive");
    }

    /// The awaiter of the next tick; the schedule advances when the tick completes.
    class tick_awaiter {
      public:
        /// Waits for `owner`'s next deadline; `owner` must outlive the awaiter.
        explicit tick_awaiter(interval& owner) noexcept : owner_(&owner), sleep_(owner.next_) {}
        /// True when the deadline has passed (and the coop budget allows going on) or the
        /// runtime is stopping.
        bool await_ready() noexcept { return sleep_.await_ready(); }
        /// Parks `h` until the deadline (or behind the core's other ready tasks).
        void await_suspend(std::coroutine_handle<> h) { sleep_.await_suspend(h); }
        /// The deadline of this tick, or `operation_canceled` when the runtime is stopping
        /// (the tick is not used up).
        result<clock::time_point> await_resume() noexcept {
            if (auto r = sleep_.await_resume(); !r) return std::move(r).error();
            clock::time_point due = owner_->next_;
            owner_->next_ += owner_->period_;
            return due;
        }
        /// Withdraws the wait; the tick is not used up. False when the deadline passed and the
        /// awaiter is queued to resume.
        bool cancel() noexcept { return sleep_.cancel(); }

      private:
        interval* owner_;
        detail::sleep_awaiter sleep_;
    };

    /// Completes at the next deadline and gives that deadline, or `errc::operation_canceled`
    /// when the runtime is stopping. Cancel-safe: a cancelled tick is not used up.
    tick_awaiter tick() noexcept { return tick_awaiter(*this); }

    /// The time between two deadlines.
    clock::duration period() const noexcept { return period_; }

  private:
    clock::duration period_;
    clock::time_point next_;
};

} // namespace eddy
