// `barrier`: n tasks, on any cores, wait until all n have arrived; then all go on, and exactly
// one of them is told it is the leader (Tokio's Barrier). It is reusable: the next n waits
// make the next generation.
//
//     eddy::sync::barrier ready(4);
//     // in each of 4 tasks:
//     load_my_part();
//     auto arrived = co_await ready.wait();
//     if (arrived.is_leader()) announce_loaded();   // one task per generation
//
// The barrier lives on the core that made it (its home; see detail/barrier_state.hpp). On
// home a wait is plain code (no lock, no atomic read-modify-write); a wait on another core
// goes to home (the awaiter is the message) and resumes on its own core. The barrier must
// outlive its waiters.
//
// Cancel safety: a cancelled `wait` no longer counts as arrived (the generation still needs
// n waiters). One whose generation ended as it was cancelled by `eddy::timeout` returns
// normally. It works with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/sync/detail/barrier_state.hpp"

#include <cstddef>

namespace eddy::sync {

/// What `barrier::wait` gives.
class barrier_wait_result {
  public:
    /// The result of a wait that led its generation (`leader`) or not.
    explicit barrier_wait_result(bool leader) noexcept : leader_(leader) {}
    /// True for exactly one waiter of each generation: the last to arrive.
    bool is_leader() const noexcept { return leader_; }

  private:
    bool leader_;
};

/// A reusable barrier for n tasks on any cores; see the top.
class barrier {
    using state = sync::detail::barrier_state;

  public:
    /// Awaits the end of the caller's generation. Cancel-safe (see the top).
    class wait_awaiter final : public state::parked_wait {
      public:
        /// Waits on the barrier `s` (what `wait` makes).
        explicit wait_awaiter(state& s) noexcept : parked_wait(s.home_mailbox()), state_(&s) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        wait_awaiter(wait_awaiter&&) noexcept = default;

        /// Whether this waiter led its generation (it arrived last).
        barrier_wait_result await_resume() const noexcept {
            return barrier_wait_result(!released_);
        }

      private:
        // On home.
        bool try_now() override { return state_->arrive_last_here(); }
        void park() override { state_->park(*this); }
        void withdrawn() noexcept override { state_->leave(); }

        state* state_;
    };

    /// A barrier for `n` waiters (0 counts as 1), living on the calling core.
    explicit barrier(std::size_t n) : state_(eddy::detail::current_scheduler(), n) {}
    barrier(const barrier&) = delete;
    barrier& operator=(const barrier&) = delete;

    /// Awaits until `size()` waiters (this one included) have arrived; never fails.
    /// Cancel-safe (see the top).
    wait_awaiter wait() noexcept { return wait_awaiter(state_); }

    /// The number of waiters that make a generation.
    std::size_t size() const noexcept { return state_.size(); }

  private:
    state state_;
};

} // namespace eddy::sync
