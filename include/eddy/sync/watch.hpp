// `watch`: one sender publishes a value, many receivers follow its latest version (Tokio's
// watch), across cores. Receivers see the newest value, not every value.
//
//     auto [tx, rx] = eddy::sync::watch::channel<config>(load_config());
//     eddy::spawn_on(1, follow(rx));                 // receivers are copied to any core
//     tx.send(load_config());                        // never waits
//     // in follow(rx):
//     while (auto seen = co_await rx.changed())      // errc::channel_closed once tx is gone
//         apply(rx.get());                           // the receiver's own copy
//
// The value lives on the core that made the channel (its home; see detail/watch_state.hpp).
// On home a send or a wait is plain code (no lock, no atomic read-modify-write); a send from
// another core travels to home in a message (one allocation), and `changed()` on another
// core waits at home (the awaiter is the message) and brings a copy of the value back, so T
// must be copyable. Each receiver keeps a copy of the last value it saw: `get()` reads it on
// any core. On home, `borrow()` reads the channel's value itself.
//
// Cancel safety: a cancelled `changed()` changes nothing (the receiver still has the news
// waiting for it). It works with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/error.hpp"
#include "eddy/result.hpp"
#include "eddy/sync/detail/watch_state.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

namespace eddy::sync::watch {

template <class T> class sender;
template <class T> class receiver;
template <class T> std::pair<sender<T>, receiver<T>> channel(T initial);

namespace detail {
template <class T> using state = sync::detail::watch_state<T>;
} // namespace detail

/// The sending side: there is one (move it, to any core).
template <class T> class sender {
  public:
    /// Moves the sender; `o` is left empty.
    sender(sender&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    /// Closes this sender's channel, if any (as the destructor), and takes `o`'s.
    sender& operator=(sender&& o) noexcept {
        if (this != &o) {
            reset();
            state_ = std::exchange(o.state_, nullptr);
        }
        return *this;
    }
    sender(const sender&) = delete;
    sender& operator=(const sender&) = delete;
    /// Closes the channel: receivers' `changed()` gives `errc::channel_closed` from then on.
    ~sender() { reset(); }

    /// Replaces the value and wakes the receivers; never waits. `errc::channel_closed` when
    /// no receiver is left to see it (the value is stored all the same, as Tokio's
    /// `send_replace`: `borrow()` and later subscribers see it). From another core, the
    /// value lands on home a moment later.
    result<void> send(T value) { return state_->send(std::move(value)); }

    /// The latest value. Only on the channel's core (elsewhere it stops the program).
    const T& borrow() const noexcept {
        state_->check_home("a watch sender's borrow");
        return state_->value();
    }

    /// A new receiver that has seen the current value. Only on the channel's core (it copies
    /// the value; elsewhere it stops the program): copy a receiver to get one elsewhere.
    receiver<T> subscribe() const {
        state_->check_home("a watch sender's subscribe");
        return receiver<T>(state_, state_->value(), state_->version());
    }

    /// Receivers alive now.
    std::size_t receiver_count() const noexcept { return state_->receiver_count(); }
    /// True when no receiver is left.
    bool is_closed() const noexcept { return receiver_count() == 0; }

  private:
    friend std::pair<sender<T>, receiver<T>> channel<T>(T);
    explicit sender(detail::state<T>* s) noexcept : state_(s) { state_->add_sender(); }
    void reset() noexcept {
        if (state_) std::exchange(state_, nullptr)->drop_sender();
    }

    detail::state<T>* state_;
};

/// A receiving side, with the version it saw last and its own copy of that value. Copies
/// start from the same point; copy or move it to any core.
template <class T> class receiver {
  public:
    /// Awaits a value newer than the one this receiver saw last (see `changed()`).
    class changed_awaiter final : public detail::state<T>::parked_receiver {
        using parked = typename detail::state<T>::parked_receiver;

      public:
        /// Waits for `rx`, which must stay put until the awaiter is done.
        explicit changed_awaiter(receiver& rx)
            : parked(rx.state_->home_mailbox()), rx_(&rx), state_(rx.state_) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        changed_awaiter(changed_awaiter&&) noexcept = default;

        /// True when the outcome is known without waiting (on the channel's core only).
        bool await_ready() {
            seen_ = rx_->seen_;
            return parked::await_ready();
        }
        /// Success (the receiver now holds the newer value), or `errc::channel_closed`.
        result<void> await_resume() {
            if (!got_) return errc::channel_closed;
            rx_->latest_ = std::move(*got_); // only now: a cancelled wait leaves rx as it was
            rx_->seen_ = got_version_;
            return {};
        }

      private:
        // On home.
        bool try_now() override {
            if (const auto version = state_->version(); version > seen_) {
                got_.emplace(state_->value());
                got_version_ = version;
                return true;
            }
            return state_->closed(); // then `got_` stays empty
        }
        void park() override { state_->park(*this); }

        receiver* rx_;
        detail::state<T>* state_;
        std::uint64_t seen_ = 0;
        std::optional<T> got_;
        std::uint64_t got_version_ = 0;
    };

    /// Another receiver that has seen what `o` has (its copy of the value included).
    receiver(const receiver& o) : state_(o.state_), latest_(o.latest_), seen_(o.seen_) {
        if (state_) state_->add_receiver();
    }
    /// Moves the receiver; `o` is left empty.
    receiver(receiver&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : state_(std::exchange(o.state_, nullptr)), latest_(std::move(o.latest_)), seen_(o.seen_) {}
    /// Drops this receiver and takes `o`'s place (copied or moved).
    receiver& operator=(receiver o) noexcept(std::is_nothrow_swappable_v<T>) {
        using std::swap;
        swap(state_, o.state_);
        swap(latest_, o.latest_);
        swap(seen_, o.seen_);
        return *this;
    }
    /// Drops the receiver; the sender's `receiver_count()` no longer counts it.
    ~receiver() {
        if (state_) state_->drop_receiver();
    }

    /// Awaits a value newer than the last one this receiver saw, then keeps a copy of it
    /// (`get()`) and marks it seen. Gives `errc::channel_closed` once the sender is gone and
    /// nothing newer is left. The receiver must stay put while it waits. Cancel-safe.
    changed_awaiter changed() {
        if (!state_) eddy::detail::misuse("a watch receiver was used after it was moved from");
        return changed_awaiter(*this);
    }

    /// The value this receiver saw last (its own copy, from its last `changed()`, or from
    /// when it subscribed): safe to read on any core.
    const T& get() const noexcept { return latest_; }

    /// The channel's latest value, newer than `get()` if a send came since; it does not mark
    /// it seen. Only on the channel's core (elsewhere it stops the program).
    const T& borrow() const noexcept {
        state_->check_home("a watch receiver's borrow");
        return state_->value();
    }

    /// True when a newer value than the last one seen reached the channel's core.
    bool has_changed() const noexcept { return state_->version() > seen_; }

  private:
    friend class sender<T>;
    friend std::pair<sender<T>, receiver<T>> channel<T>(T);
    receiver(detail::state<T>* s, T latest, std::uint64_t seen)
        : state_(s), latest_(std::move(latest)), seen_(seen) {
        state_->add_receiver();
    }

    detail::state<T>* state_;
    T latest_;
    std::uint64_t seen_;
};

/// A watch channel holding `initial` (marked seen by the receiver it gives), living on the
/// calling core.
template <class T> std::pair<sender<T>, receiver<T>> channel(T initial) {
    static_assert(std::is_copy_constructible_v<T>, "watch values are copied to receivers");
    auto* s = new detail::state<T>(eddy::detail::current_scheduler(), initial);
    sender<T> tx(s);
    receiver<T> rx(s, std::move(initial), 0);
    s->release(); // the handles hold it now
    return {std::move(tx), std::move(rx)};
}

} // namespace eddy::sync::watch
