// The state a watch channel's sender and receivers share. It lives on the core that made the
// channel (home): the value and the parked receivers are read and written only there.
//
// Each value sent gets the next version number; a receiver remembers the version it saw and
// waits for a larger one. The version and the closed flag are atomics that only home writes
// (plain stores), so any core can ask whether there is news without a message.
//
// A send on home replaces the value and wakes the parked receivers: plain code. A send from
// another core moves the value into a message for home (one allocation). Until it lands, a
// value in flight counts as a sender, so the channel does not close under it.
#pragma once

#include "eddy/result.hpp"
#include "eddy/sync/detail/home_operation.hpp"
#include "eddy/sync/detail/home_state.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace eddy::sync::detail {

template <class T> class watch_state final : public home_state {
  public:
    /// A receiver waiting at home for a newer value.
    class parked_receiver : public home_operation {
      public:
        using home_operation::home_operation;
        parked_receiver(parked_receiver&&) noexcept = default;
        /// On home: completes the wait once there is news for it.
        void wake() {
            if (try_now()) finish();
        }
    };

    watch_state(scheduler& home, T initial) : home_state(home), value_(std::move(initial)) {}

    // --- handles (any core) ---
    void add_sender() noexcept {
        senders_.fetch_add(1, std::memory_order_relaxed);
        add_ref();
    }
    /// The sender gone (and every value it sent landed) closes the channel, on home.
    void drop_sender() noexcept {
        if (senders_.fetch_sub(1, std::memory_order_acq_rel) == 1)
            run_at_home([this] { close_here(); });
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
    /// The version of the latest value that reached home.
    std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    /// Replaces the value (see the top); channel_closed when no receiver is there to see it
    /// (the value is stored all the same).
    result<void> send(T value) {
        const bool seen = receiver_count() > 0;
        if (called_at_home()) {
            replace_here(std::move(value));
        } else {
            add_sender(); // for the value in flight
            home().post(*new sent_value(*this, std::move(value)));
        }
        if (!seen) return errc::channel_closed;
        return {};
    }

    // --- on home ---
    const T& value() const noexcept { return value_; }
    void park(parked_receiver& r) noexcept { waiting_.push_back(r); }

  private:
    class sent_value final : public inbox_message {
      public:
        sent_value(watch_state& s, T v) : state_(&s), value_(std::move(v)) {}
        void deliver(scheduler&) override {
            state_->replace_here(std::move(value_));
            done();
        }
        void discard() noexcept override { done(); }

      private:
        void done() noexcept {
            watch_state* s = state_;
            delete this;
            s->drop_sender();
        }
        watch_state* state_;
        T value_;
    };

    ~watch_state() override = default;

    void replace_here(T value) {
        value_ = std::move(value);
        // Home alone writes it: a plain store, no read-modify-write.
        version_.store(version_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        wake_all();
    }
    void close_here() {
        closed_.store(true, std::memory_order_release);
        wake_all();
    }
    void wake_all() {
        waiting_.for_each([](parked_receiver& r) { r.wake(); });
    }

    std::atomic<std::size_t> senders_{0};
    std::atomic<std::size_t> receivers_{0};
    std::atomic<std::uint64_t> version_{0};
    std::atomic<bool> closed_{false};
    // Home only.
    T value_;
    intrusive_list<parked_receiver> waiting_;
};

} // namespace eddy::sync::detail
