// `stop_source` and `stop_token`: ask tasks on any core to wind down, for graceful shutdown.
//
//     eddy::sync::stop_source stop;                       // copies share one state
//     eddy::spawn_on(1, serve(listener, stop.get_token()));
//     ...
//     stop.request_stop();                                // from any core
//
//     eddy::task<> serve(..., eddy::sync::stop_token stop) {
//         while (!stop.stop_requested()) { ... }          // poll, or
//         co_await stop.stopped();                        // wait for it
//     }
//
// `stop_requested()` is one atomic load, from any core. `stopped()` completes once a stop
// was requested, on the waiter's own core. The state lives on the core that made the source
// (its home): waiting there is plain code; a wait from another core travels to home and
// back, and a request from another core is a message to home. Cancel-safe.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/sync/detail/home_state.hpp"

#include <atomic>

namespace eddy::sync {

namespace detail {

class stop_state final : public home_state {
  public:
    using home_state::home_state;

    class waiter final : public home_operation {
      public:
        explicit waiter(stop_state& s) noexcept : home_operation(s.home_mailbox()), state_(&s) {}
        waiter(waiter&&) noexcept = default;
        void await_resume() noexcept { mark_seen(); }

      private:
        bool try_now() override { return state_->requested(); }
        void park() override { state_->waiters_.push_back(*this); }
        stop_state* state_;
    };

    bool requested() const noexcept { return requested_.load(std::memory_order_acquire); }
    /// Any core: true for the call that made the request.
    bool request() noexcept { return !requested_.exchange(true, std::memory_order_acq_rel); }
    /// On home, after `request()`: wakes every waiter.
    void wake_all() noexcept {
        while (auto* w = waiters_.pop_front())
            w->finish();
    }

  private:
    std::atomic<bool> requested_{false};
    intrusive_list<waiter> waiters_; // home only
};

} // namespace detail

/// Seen by tasks: whether a stop was requested, and a way to wait for it.
class stop_token {
  public:
    /// A token that no source will ever stop.
    stop_token() noexcept = default;

    /// True once a stop was requested (one atomic load; any core).
    bool stop_requested() const noexcept { return state_ && state_->requested(); }
    /// Whether a stop can still come (false for a default-made token).
    bool stop_possible() const noexcept { return static_cast<bool>(state_); }

    /// Completes once a stop is requested (at once if it was); `co_await` gives nothing and
    /// never fails. From any core. Cancel-safe. A default-made token has no state to wait on:
    /// do not await it.
    detail::stop_state::waiter stopped() const noexcept {
        return detail::stop_state::waiter(*state_);
    }

  private:
    friend class stop_source;
    explicit stop_token(detail::state_ref<detail::stop_state> s) noexcept : state_(std::move(s)) {}
    detail::state_ref<detail::stop_state> state_;
};

/// Requests the stop. Made on a core (its home); copies share the state.
class stop_source {
  public:
    /// A source with no stop requested, living on the calling core.
    stop_source() : state_(new detail::stop_state(eddy::detail::current_scheduler())) {}

    /// A token that sees this source's stop (copy it to any core).
    stop_token get_token() const noexcept { return stop_token(state_); }
    /// True once a stop was requested (one atomic load; any core).
    bool stop_requested() const noexcept { return state_->requested(); }

    /// Requests a stop and wakes every waiting task, on their cores. True when this call
    /// made the request (false if one was made before). Any core, or a thread that runs
    /// no core.
    bool request_stop() const {
        if (!state_->request()) return false;
        auto* s = state_.get();
        s->run_at_home([s] { s->wake_all(); });
        return true;
    }

  private:
    detail::state_ref<detail::stop_state> state_;
};

} // namespace eddy::sync
