// The state a broadcast channel's senders and receivers share. It lives on the core that made
// the channel (home): the ring of the last `capacity` values, the closed flag and the parked
// receivers are read and written only there.
//
// Every value sent gets a sequence number; the value numbered `s` sits in slot `s % capacity`
// until the value numbered `s + capacity` replaces it, so memory stays bounded by the
// capacity whatever the receivers do. A receiver is only a position (the number of the next
// value it wants): it reads at home, a copy of the value, so receivers never hold slots.
// A receiver whose position fell out of the ring has lagged: it is told how many values it
// lost and moves to the oldest one kept.
//
// A send on home writes the slot and wakes the parked receivers: plain code. A send from
// another core moves the value into a message for home (one allocation). Until it lands, a
// value in flight counts as a sender, so the channel does not close under it: the last
// sender's drop and the values sent before it reach the receivers in that order. The tail
// (next sequence number) is an atomic that only home writes, so a sender on another core can
// subscribe a receiver at the position home has reached.
#pragma once

#include "eddy/result.hpp"
#include "eddy/sync/detail/home_operation.hpp"
#include "eddy/sync/detail/home_state.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace eddy::sync::detail {

template <class T> class broadcast_state final : public home_state {
  public:
    /// A receiver waiting for a value at home.
    class parked_receiver : public home_operation {
      public:
        using home_operation::home_operation;
        parked_receiver(parked_receiver&&) noexcept = default;
        /// On home: completes the wait once there is something to give it.
        void wake() {
            if (try_now()) finish();
        }
    };

    /// What a receiver finds at its position.
    enum class found : std::uint8_t { value, lagged, nothing, closed };

    broadcast_state(scheduler& home, std::size_t capacity) : home_state(home), ring_(capacity) {}

    // --- handles (any core) ---
    void add_sender() noexcept {
        senders_.fetch_add(1, std::memory_order_relaxed);
        add_ref();
    }
    /// The last sender (or value in flight) gone closes the channel, on home.
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
    /// The sequence number the next value sent on home will get.
    std::uint64_t tail() const noexcept { return tail_.load(std::memory_order_acquire); }

    /// Sends `value` (see the top); the receivers it reaches, or channel_closed when none.
    result<std::size_t> send(T value) {
        const std::size_t reached = receiver_count();
        if (reached == 0) return errc::channel_closed;
        if (called_at_home()) {
            push_here(std::move(value));
        } else {
            add_sender(); // for the value in flight
            home().post(*new sent_value(*this, std::move(value)));
        }
        return reached;
    }

    // --- receiving, on home ---
    /// What a receiver at `next` finds; a value is copied out and `next` moves past it.
    found take(std::uint64_t& next, std::optional<T>& value, std::uint64_t& lost) {
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        const std::uint64_t oldest = tail > ring_.size() ? tail - ring_.size() : 0;
        if (next < oldest) {
            lost = oldest - next;
            next = oldest;
            return found::lagged;
        }
        if (next < tail) {
            value.emplace(*ring_[next % ring_.size()]);
            ++next;
            return found::value;
        }
        return closed_ ? found::closed : found::nothing;
    }
    void park(parked_receiver& r) noexcept { waiting_.push_back(r); }

  private:
    class sent_value final : public inbox_message {
      public:
        sent_value(broadcast_state& s, T v) : state_(&s), value_(std::move(v)) {}
        void deliver(scheduler&) override {
            state_->push_here(std::move(value_));
            done();
        }
        void discard() noexcept override { done(); }

      private:
        void done() noexcept {
            broadcast_state* s = state_;
            delete this;
            s->drop_sender();
        }
        broadcast_state* state_;
        T value_;
    };

    ~broadcast_state() override = default;

    void push_here(T value) {
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        ring_[tail % ring_.size()] = std::move(value);
        tail_.store(tail + 1, std::memory_order_release); // home alone writes it
        wake_all();
    }
    void close_here() {
        closed_ = true;
        wake_all();
    }
    void wake_all() {
        waiting_.for_each([](parked_receiver& r) { r.wake(); });
    }

    std::atomic<std::size_t> senders_{0};
    std::atomic<std::size_t> receivers_{0};
    std::atomic<std::uint64_t> tail_{0};
    // Home only.
    std::vector<std::optional<T>> ring_;
    intrusive_list<parked_receiver> waiting_;
    bool closed_ = false;
};

} // namespace eddy::sync::detail
