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
#include "eddy/sync/detail/fan_out_state.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace eddy::sync::detail {

template <class T> class broadcast_state final : public fan_out_state<broadcast_state<T>, T> {
    using base = fan_out_state<broadcast_state<T>, T>;
    friend base;

  public:
    using typename base::parked_receiver;

    /// What a receiver finds at its position.
    enum class found : std::uint8_t { value, lagged, nothing, closed };

    broadcast_state(scheduler& home, std::size_t capacity) : base(home), ring_(capacity) {}

    // --- handles (any core) ---
    /// The sequence number the next value sent on home will get.
    std::uint64_t tail() const noexcept { return tail_.load(std::memory_order_acquire); }

    /// Sends `value` (see the top); the receivers it reaches, or channel_closed when none.
    result<std::size_t> send(T value) {
        const std::size_t reached = this->receiver_count();
        if (reached == 0) return errc::channel_closed;
        this->deliver_value(std::move(value));
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

  private:
    ~broadcast_state() override = default;

    void arrive_here(T value) {
        const std::uint64_t tail = tail_.load(std::memory_order_relaxed);
        ring_[tail % ring_.size()] = std::move(value);
        tail_.store(tail + 1, std::memory_order_release); // home alone writes it
        this->wake_all();
    }
    void close_here() {
        closed_ = true;
        this->wake_all();
    }

    std::atomic<std::uint64_t> tail_{0};
    // Home only.
    std::vector<std::optional<T>> ring_;
    bool closed_ = false;
};

} // namespace eddy::sync::detail
