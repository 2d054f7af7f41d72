// The state of an `eddy::sync::mutex`. It lives on the core that made the mutex (home): the
// locked flag and the queue of waiting lockers are read and written only there.
//
// Unlocking hands the lock straight to the first waiter (FIFO; the mutex stays locked in
// between), so no locker can overtake one that waits. An unlock on home is plain code; an
// unlock from another core is a message to home. Only the holder unlocks and the lock stays
// held until home took that message, so at most one unlock is ever on its way: the message
// is a member of the state and nothing is allocated. It holds a reference, so the state
// outlives it even if the mutex is destroyed meanwhile.
#pragma once

#include "eddy/sync/detail/home_operation.hpp"
#include "eddy/sync/detail/home_state.hpp"

namespace eddy::sync::detail {

class mutex_state final : public home_state {
  public:
    /// A locker waiting at home; `granted_` is set there when the lock is handed to it.
    class parked_lock : public home_operation {
      public:
        using home_operation::home_operation;
        parked_lock(parked_lock&&) noexcept = default;

      protected:
        bool granted_ = false;

      private:
        friend class mutex_state;
    };

    explicit mutex_state(scheduler& home) noexcept : home_state(home) {}

    // --- on home ---
    bool try_lock_here() noexcept {
        if (locked_) return false;
        locked_ = true;
        return true;
    }
    void park(parked_lock& l) noexcept { lockers_.push_back(l); }
    bool locked_here() const noexcept { return locked_; }

    // --- the holder, on any core ---
    void unlock() noexcept {
        if (called_at_home()) {
            unlock_here();
            return;
        }
        add_ref(); // for the message
        home_mailbox().post(unlock_message_);
    }

  private:
    class unlock_message final : public inbox_message {
      public:
        explicit unlock_message(mutex_state& s) noexcept : state_(&s) {}
        void deliver(scheduler&) override {
            state_->unlock_here();
            state_->release();
        }
        void discard() noexcept override { state_->release(); }

      private:
        mutex_state* state_;
    };

    ~mutex_state() override = default;

    void unlock_here() noexcept {
        if (parked_lock* next = lockers_.pop_front()) {
            next->granted_ = true; // handed over: the mutex stays locked
            next->finish();
        } else {
            locked_ = false;
        }
    }

    unlock_message unlock_message_{*this};
    // Home only.
    intrusive_list<parked_lock> lockers_;
    bool locked_ = false;
};

} // namespace eddy::sync::detail
