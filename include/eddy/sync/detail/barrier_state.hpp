// The state of an `eddy::sync::barrier`. It lives on the core that made the barrier (home):
// the count of waiters and their queue are read and written only there.
//
// A generation ends when the n-th waiter arrives: that one is the leader (it never parks),
// the ones parked are released, and the count starts again from zero for the next
// generation. A waiter withdrawn by a cancellation no longer counts, so a timed-out wait
// never lets a later generation end one short.
#pragma once

#include "eddy/sync/detail/home_core.hpp"
#include "eddy/sync/detail/home_operation.hpp"

#include <cstddef>

namespace eddy::sync::detail {

class barrier_state {
  public:
    /// A waiter parked at home until its generation ends.
    class parked_wait : public home_operation {
      public:
        using home_operation::home_operation;
        parked_wait(parked_wait&&) noexcept = default;

      protected:
        bool released_ = false;

      private:
        friend class barrier_state;
    };

    barrier_state(scheduler& home, std::size_t n) noexcept : home_(home), n_(n < 1 ? 1 : n) {}
    barrier_state(const barrier_state&) = delete;
    barrier_state& operator=(const barrier_state&) = delete;

    /// Home's mailbox, for the waits (home_operation.hpp).
    core_mailbox& home_mailbox() const noexcept { return home_.mailbox(); }
    std::size_t size() const noexcept { return n_; }

    // --- on home ---
    /// True when the caller is the n-th to arrive: it leads, and the others are released.
    bool arrive_last_here() noexcept {
        if (parked_ + 1 < n_) return false;
        parked_ = 0;
        while (parked_wait* w = waiting_.pop_front()) {
            w->released_ = true;
            w->finish();
        }
        return true;
    }
    void park(parked_wait& w) noexcept {
        ++parked_;
        waiting_.push_back(w);
    }
    /// A parked waiter was withdrawn: it no longer counts.
    void leave() noexcept { --parked_; }

  private:
    home_core home_;
    std::size_t n_;
    std::size_t parked_ = 0;
    intrusive_list<parked_wait> waiting_;
};

} // namespace eddy::sync::detail
