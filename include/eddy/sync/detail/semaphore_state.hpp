// The state of an `eddy::sync::semaphore`. It lives on the core that made the semaphore
// (home): the permit count, the closed flag and the queue of waiting acquirers are written
// only there.
//
// Waiters are served in order: an acquire waits while anyone waits before it, and a release
// serves the queue from its front until the first waiter that does not fit, so a large
// acquire is never starved by small ones. A waiter cancelled at the front may let those
// behind it through, so its withdrawal serves the queue again.
//
// An acquire or release on home is plain code. A release (or `add_permits`, or `close`) from
// another core is a small message to home (one allocation). The count and the closed flag
// are atomics that only home writes (plain stores), so any core can read a snapshot.
#pragma once

#include "eddy/sync/detail/home_operation.hpp"
#include "eddy/sync/detail/home_state.hpp"

#include <atomic>
#include <cstddef>

namespace eddy::sync::detail {

class semaphore_state final : public home_state {
  public:
    /// An acquirer waiting at home for `wanted_` permits; home sets its outcome.
    class parked_acquire : public home_operation {
      public:
        parked_acquire(core_mailbox& home, std::size_t wanted) noexcept
            : home_operation(home), wanted_(wanted) {}
        parked_acquire(parked_acquire&&) noexcept = default;

      protected:
        enum class outcome : unsigned char { waiting, granted, closed };
        std::size_t wanted_;
        outcome outcome_ = outcome::waiting;

      private:
        friend class semaphore_state;
    };

    semaphore_state(scheduler& home, std::size_t permits) noexcept
        : home_state(home), permits_(permits) {}

    /// Permits free now (on another core: a snapshot, maybe a moment old).
    std::size_t available() const noexcept { return permits_.load(std::memory_order_acquire); }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    // --- on home ---
    /// Takes `n` permits if nobody waits and there are enough.
    bool try_take_here(std::size_t n) noexcept {
        if (!waiting_.empty() || available() < n) return false;
        set_permits(available() - n);
        return true;
    }
    void park(parked_acquire& a) noexcept { waiting_.push_back(a); }
    /// Gives the waiters at the front what they asked for, in order, while it lasts.
    void serve_here() noexcept {
        while (parked_acquire* front = waiting_.front()) {
            if (front->wanted_ > available()) return;
            set_permits(available() - front->wanted_);
            front->unlink();
            front->outcome_ = parked_acquire::outcome::granted;
            front->finish();
        }
    }

    // --- any core ---
    /// Gives `n` permits back (or adds them).
    void add(std::size_t n) {
        run_at_home([this, n] {
            set_permits(available() + n);
            serve_here();
        });
    }
    /// Fails every waiter and every later acquire; releases still count.
    void close() {
        run_at_home([this] {
            closed_.store(true, std::memory_order_release);
            while (parked_acquire* w = waiting_.pop_front()) {
                w->outcome_ = parked_acquire::outcome::closed;
                w->finish();
            }
        });
    }

  private:
    ~semaphore_state() override = default;

    void set_permits(std::size_t n) noexcept {
        permits_.store(n, std::memory_order_release); // home alone writes it: no RMW
    }

    std::atomic<std::size_t> permits_;
    std::atomic<bool> closed_{false};
    // Home only.
    intrusive_list<parked_acquire> waiting_;
};

} // namespace eddy::sync::detail
