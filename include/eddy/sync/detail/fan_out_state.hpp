// What `broadcast` and `watch` share: values from senders on any core to receivers on any
// core, through a state on home. Senders and receivers are counted (atomics: handles are
// copied and dropped on any core, never per value). A value sent from another core travels
// to home in a message (one allocation) and counts as a sender until it lands, so the last
// sender's drop, which closes the stream, comes after every value sent before it.
//
// `Derived` gives, on home: `arrive_here(T)` (take a value; it calls `wake_all()`) and
// `close_here()` (every sender gone).
#pragma once

#include "eddy/sync/detail/home_operation.hpp"
#include "eddy/sync/detail/home_state.hpp"

#include <atomic>
#include <cstddef>
#include <utility>

namespace eddy::sync::detail {

template <class Derived, class T> class fan_out_state : public home_state {
  public:
    /// A receiver waiting at home.
    class parked_receiver : public home_operation {
      public:
        using home_operation::home_operation;
        parked_receiver(parked_receiver&&) noexcept = default;
        /// On home: completes the wait once there is something for it.
        void wake() {
            if (try_now()) finish();
        }
    };

    // --- handles, on any core ---
    void add_sender() noexcept {
        senders_.fetch_add(1, std::memory_order_relaxed);
        add_ref();
    }
    /// The last sender (or value in flight) gone closes the stream, on home.
    void drop_sender() noexcept {
        if (senders_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            run_at_home([this] { self().close_here(); });
        release();
    }
    void add_receiver() noexcept {
        receivers_.fetch_add(1, std::memory_order_relaxed);
        add_ref();
    }
    void drop_receiver() noexcept {
        receivers_.fetch_sub(1, std::memory_order_acq_rel);
        release();
    }
    std::size_t receiver_count() const noexcept {
        return receivers_.load(std::memory_order_acquire);
    }

    // --- on home ---
    void park(parked_receiver& r) noexcept { waiting_.push_back(r); }

  protected:
    explicit fan_out_state(scheduler& home) noexcept : home_state(home) {}

    /// Gives `value` to `arrive_here` on home: at once when called there, else in a
    /// message, counted as a sender until it lands.
    void deliver_value(T value) {
        if (called_at_home()) {
            self().arrive_here(std::move(value));
            return;
        }
        add_sender();
        this->home_mailbox().post(*new sent_value(*this, std::move(value)));
    }
    /// On home: offers what is new to every parked receiver.
    void wake_all() {
        waiting_.for_each([](parked_receiver& r) { r.wake(); });
    }

  private:
    class sent_value final : public inbox_message {
      public:
        sent_value(fan_out_state& s, T v) : state_(&s), value_(std::move(v)) {}
        void deliver(scheduler&) override {
            state_->self().arrive_here(std::move(value_));
            done();
        }
        void discard() noexcept override { done(); }

      private:
        void done() noexcept {
            fan_out_state* s = state_;
            delete this;
            s->drop_sender();
        }
        fan_out_state* state_;
        T value_;
    };

    Derived& self() noexcept { return static_cast<Derived&>(*this); }

    std::atomic<std::size_t> senders_{0};
    std::atomic<std::size_t> receivers_{0};
    intrusive_list<parked_receiver> waiting_; // home only
};

} // namespace eddy::sync::detail
