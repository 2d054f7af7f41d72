// `notify`: wake a waiting task later, from any core (Tokio's `Notify`).
//
//     eddy::sync::notify ready;                  // copies share one notify
//     eddy::spawn_on(1, worker(ready));          // worker: co_await ready.notified();
//     ready.notify_one();                        // from any core
//
// `notify_one()` wakes the longest waiting task, or, if none waits, leaves one permit so the
// next `notified()` completes at once (permits do not add up). `notify_waiters()` wakes
// every task waiting now and leaves no permit. A waiter resumes on its own core.
//
// The notify lives on the core that made it (its home): there, waiting and notifying are
// plain code (no lock, no atomic read-modify-write). From another core, a wait travels to
// home as a message and back, and a notify is a message to home (one allocation).
//
// Cancel-safe: a cancelled `notified()` consumes nothing. A wait that was given a
// notification stands against a timeout; one destroyed by an abort before it ran passes the
// notification on to the next waiter. Works with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/sync/detail/home_state.hpp"

namespace eddy::sync {

namespace detail {

class notify_state final : public home_state {
  public:
    using home_state::home_state;

    class waiter final : public home_operation {
      public:
        explicit waiter(notify_state& s) noexcept : home_operation(s.home_mailbox()), state_(&s) {}
        waiter(waiter&&) noexcept = default;
        // Given a notification but destroyed before it ran (an abort): pass it on.
        ~waiter() override {
            if (completed_unseen()) {
                auto* s = state_;
                s->run_at_home([s] { s->notify_one(); });
            }
        }
        void await_resume() noexcept { mark_seen(); }

      private:
        bool try_now() override { return std::exchange(state_->permit_, false); }
        void park() override { state_->waiters_.push_back(*this); }
        notify_state* state_;
    };

    // On home.
    void notify_one() noexcept {
        if (auto* w = waiters_.pop_front())
            w->finish();
        else
            permit_ = true;
    }
    void notify_waiters() noexcept {
        intrusive_list<waiter> now;
        now.splice_back(waiters_);
        while (auto* w = now.pop_front())
            w->finish();
    }

  private:
    intrusive_list<waiter> waiters_;
    bool permit_ = false;
};

} // namespace detail

/// Wakes waiting tasks from any core (Tokio's `Notify`); copies share one state. See the top.
class notify {
  public:
    /// A notify with no permit, living on the calling core.
    notify() : state_(new detail::notify_state(eddy::detail::current_scheduler())) {}

    /// Awaits a notification (or takes the stored permit); `co_await` gives nothing and never
    /// fails. From any core. Cancel-safe (see the top).
    detail::notify_state::waiter notified() const noexcept {
        return detail::notify_state::waiter(*state_);
    }

    /// Wakes one waiting task, or stores a permit for the next `notified()`. Any core, or a
    /// thread that runs no core.
    void notify_one() const {
        auto* s = state_.get();
        s->run_at_home([s] { s->notify_one(); });
    }

    /// Wakes every task waiting now; stores no permit. Any core.
    void notify_waiters() const {
        auto* s = state_.get();
        s->run_at_home([s] { s->notify_waiters(); });
    }

  private:
    detail::state_ref<detail::notify_state> state_;
};

} // namespace eddy::sync
