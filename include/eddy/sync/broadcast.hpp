// `broadcast`: a multi-producer, multi-consumer channel where every receiver sees every value
// (Tokio's broadcast), across cores.
//
//     auto [tx, rx] = eddy::sync::broadcast::channel<std::string>(16);
//     auto rx2 = tx.subscribe();                 // sees what is sent from now on
//     tx.send("hello");                          // never waits; result<std::size_t> reached
//     for (;;) {
//         auto got = co_await rx.recv();
//         if (got) use(*got);
//         else if (got.lagged()) log_lost(got.lagged());   // fell behind; goes on
//         else break;                            // errc::channel_closed: every sender gone
//     }
//
// The channel keeps the last `capacity` values on the core that made it (its home; see
// detail/broadcast_state.hpp). Senders and receivers are copied and moved to any core. On
// home a send or a recv is plain code (no lock, no atomic read-modify-write); a send from
// another core travels to home in a message (one allocation), and a recv from another core
// waits at home (the awaiter is the message) and brings a copy of the value back, so T must
// be copyable. Values from one sender arrive in the order sent.
//
// A receiver that falls more than `capacity` values behind is told once how many it lost
// (`lagged()`), then continues with the oldest value kept. When every sender is gone, recv
// gives what is left, then `errc::channel_closed`.
//
// Cancel safety: a cancelled `recv` loses nothing (the receiver stays where it was). It
// works with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/error.hpp"
#include "eddy/result.hpp"
#include "eddy/sync/detail/broadcast_state.hpp"

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace eddy::sync::broadcast {

template <class T> class sender;
template <class T> class receiver;
template <class T> std::pair<sender<T>, receiver<T>> channel(std::size_t capacity);

namespace detail {
template <class T> using state = sync::detail::broadcast_state<T>;
} // namespace detail

/// What a receive gives: a value, or a notice that the receiver lagged (how many values it
/// lost), or an error: `errc::channel_closed`, or `errc::would_block` from `try_recv`.
template <class T> class [[nodiscard]] recv_result {
  public:
    /// A value received.
    recv_result(T value) : value_(std::move(value)) {}
    /// Nothing received, for `why` (`errc::channel_closed` or `errc::would_block`).
    recv_result(errc why) noexcept : why_(why) {}
    /// The notice that the receiver lost `lost` values by falling behind.
    static recv_result lagged_by(std::uint64_t lost) noexcept {
        recv_result r(errc::channel_closed);
        r.lost_ = lost;
        return r;
    }

    /// True when a value was received (false for a lag notice or an error).
    bool has_value() const noexcept { return value_.has_value(); }
    /// `has_value()`.
    explicit operator bool() const noexcept { return has_value(); }
    /// The value, unchecked: only when `has_value()` (asserted in debug).
    T& operator*() & noexcept { return assert(has_value()), *value_; }
    /// The value, unchecked (see above).
    const T& operator*() const& noexcept { return assert(has_value()), *value_; }
    /// The value, moved out, unchecked (see above).
    T&& operator*() && noexcept { return assert(has_value()), std::move(*value_); }
    /// Member access to the value, unchecked (see `operator*`).
    T* operator->() noexcept { return assert(has_value()), &*value_; }
    /// Member access to the value, unchecked (see `operator*`).
    const T* operator->() const noexcept { return assert(has_value()), &*value_; }

    /// How many values the receiver lost by falling behind, when that is the news; else 0.
    std::uint64_t lagged() const noexcept { return lost_; }
    /// Why nothing came (only when there is no value and no lag).
    eddy::error error() const {
        assert(!has_value() && lost_ == 0 && "recv_result::error() of a value or a lag");
        return why_;
    }

  private:
    std::optional<T> value_;
    std::uint64_t lost_ = 0;
    errc why_ = errc::channel_closed;
};

/// The sending side. Copy it to have more senders, on any core.
template <class T> class sender {
  public:
    /// Another sender on the same channel.
    sender(const sender& o) noexcept : state_(o.state_) {
        if (state_) state_->add_sender();
    }
    /// Moves the sender; `o` is left empty.
    sender(sender&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    /// Drops this sender and takes `o`'s place (copied or moved).
    sender& operator=(sender o) noexcept {
        std::swap(state_, o.state_);
        return *this;
    }
    /// Drops the sender; the last one gone closes the channel (after the values it sent).
    ~sender() {
        if (state_) state_->drop_sender();
    }

    /// Sends a value to every receiver; never waits. Gives how many receivers there were to
    /// reach, or `errc::channel_closed` (the value is dropped) when there are none. From
    /// another core the count is taken when sending; the value lands on home a moment later.
    result<std::size_t> send(T value) { return state_->send(std::move(value)); }

    /// A new receiver that sees every value sent from now on. On another core than the
    /// channel's, "now" is where home is: values this core sent a moment ago and that are
    /// still on their way may be seen too.
    receiver<T> subscribe() const { return receiver<T>(state_, state_->tail()); }

    /// Receivers alive now.
    std::size_t receiver_count() const noexcept { return state_->receiver_count(); }

  private:
    friend std::pair<sender<T>, receiver<T>> channel<T>(std::size_t);
    explicit sender(detail::state<T>* s) noexcept : state_(s) { state_->add_sender(); }

    detail::state<T>* state_;
};

/// A receiving side: its own position in the channel. Copies continue from the same
/// position; copy or move it to any core.
template <class T> class receiver {
  public:
    /// Awaits the next value (see the top). Cancel-safe: a cancelled recv takes nothing.
    class recv_awaiter final : public detail::state<T>::parked_receiver {
        using parked = typename detail::state<T>::parked_receiver;
        using found = typename detail::state<T>::found;

      public:
        /// Receives for `rx`, which must stay put until the awaiter is done.
        explicit recv_awaiter(receiver& rx)
            : parked(rx.state_->home_mailbox()), rx_(&rx), state_(rx.state_) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        recv_awaiter(recv_awaiter&&) noexcept = default;

        /// True when the outcome is known without waiting (on the channel's core only).
        bool await_ready() {
            next_ = rx_->next_;
            return parked::await_ready();
        }
        /// A value, a lag notice, or `errc::channel_closed`; the receiver moves past it.
        recv_result<T> await_resume() {
            rx_->next_ = next_; // only now: a cancelled recv leaves the receiver as it was
            switch (found_) {
            case found::value: return std::move(*value_);
            case found::lagged: return recv_result<T>::lagged_by(lost_);
            default: return errc::channel_closed;
            }
        }

      private:
        // On home.
        bool try_now() override {
            found_ = state_->take(next_, value_, lost_);
            return found_ != found::nothing;
        }
        void park() override { state_->park(*this); }

        receiver* rx_;
        detail::state<T>* state_;
        std::uint64_t next_ = 0;
        std::optional<T> value_;
        std::uint64_t lost_ = 0;
        found found_ = found::nothing;
    };

    /// Another receiver at the same position.
    receiver(const receiver& o) noexcept : state_(o.state_), next_(o.next_) {
        if (state_) state_->add_receiver();
    }
    /// Moves the receiver; `o` is left empty.
    receiver(receiver&& o) noexcept : state_(std::exchange(o.state_, nullptr)), next_(o.next_) {}
    /// Drops this receiver and takes `o`'s place and position (copied or moved).
    receiver& operator=(receiver o) noexcept {
        std::swap(state_, o.state_);
        std::swap(next_, o.next_);
        return *this;
    }
    /// Drops the receiver; sends no longer count it.
    ~receiver() {
        if (state_) state_->drop_receiver();
    }

    /// Awaits the next value, a lag notice, or `errc::channel_closed` once every sender is
    /// gone and everything was received. The receiver must stay put while it waits. From any
    /// core. Cancel-safe: a cancelled recv takes nothing.
    recv_awaiter recv() {
        if (!state_) eddy::detail::misuse("a broadcast receiver was used after it was moved from");
        return recv_awaiter(*this);
    }

    /// What is there now, without waiting: as `recv`, or `errc::would_block`. Only on the
    /// channel's core (elsewhere it stops the program: use `recv`).
    recv_result<T> try_recv() {
        if (!state_) eddy::detail::misuse("a broadcast receiver was used after it was moved from");
        state_->check_home("a broadcast receiver's try_recv");
        std::optional<T> value;
        std::uint64_t lost = 0;
        switch (state_->take(next_, value, lost)) {
        case detail::state<T>::found::value: return std::move(*value);
        case detail::state<T>::found::lagged: return recv_result<T>::lagged_by(lost);
        case detail::state<T>::found::nothing: return errc::would_block;
        default: return errc::channel_closed;
        }
    }

    /// A new receiver that sees the values sent from now on (as `sender::subscribe`).
    receiver resubscribe() const { return receiver(state_, state_->tail()); }

  private:
    friend class sender<T>;
    friend std::pair<sender<T>, receiver<T>> channel<T>(std::size_t);
    receiver(detail::state<T>* s, std::uint64_t next) noexcept : state_(s), next_(next) {
        state_->add_receiver();
    }

    detail::state<T>* state_;
    std::uint64_t next_; // the sequence number of the next value this receiver wants
};

/// A channel keeping the last `capacity` values (at least 1; 0 throws
/// std::invalid_argument), living on the calling core.
template <class T> std::pair<sender<T>, receiver<T>> channel(std::size_t capacity) {
    static_assert(std::is_copy_constructible_v<T>, "broadcast values are copied to receivers");
    if (capacity == 0)
        throw std::invalid_argument("broadcast::channel: capacity must be at least 1");
    auto* s = new detail::state<T>(eddy::detail::current_scheduler(), capacity);
    sender<T> tx(s);
    receiver<T> rx(s, 0);
    s->release(); // the handles hold it now
    return {std::move(tx), std::move(rx)};
}

} // namespace eddy::sync::broadcast
