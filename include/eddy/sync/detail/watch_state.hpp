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
#include "eddy/sync/detail/fan_out_state.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace eddy::sync::detail {

template <class T> class watch_state final : public fan_out_state<watch_state<T>, T> {
    using base = fan_out_state<watch_state<T>, T>;
    friend base;

  public:
    using typename base::parked_receiver;

    watch_state(scheduler& home, T initial) : base(home), value_(std::move(initial)) {}

    // --- handles (any core) ---
    /// The version of the latest value that reached home.
    std::uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    /// Replaces the value (see the top); channel_closed when no receiver is there to see it
    /// (the value is stored all the same).
    result<void> send(T value) {
        const bool seen = this->receiver_count() > 0;
        this->deliver_value(std::move(value));
        if (!seen) return errc::channel_closed;
        return {};
    }

    // --- on home ---
    const T& value() const noexcept { return value_; }

  private:
    ~watch_state() override = default;

    void arrive_here(T value) {
        value_ = std::move(value);
        // Home alone writes it: a plain store, no read-modify-write.
        version_.store(version_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
        this->wake_all();
    }
    void close_here() {
        closed_.store(true, std::memory_order_release);
        this->wake_all();
    }

    std::atomic<std::uint64_t> version_{0};
    std::atomic<bool> closed_{false};
    // Home only.
    T value_;
};

} // namespace eddy::sync::detail
