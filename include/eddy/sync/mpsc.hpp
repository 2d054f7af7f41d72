// `mpsc`: a multi-producer, single-consumer channel, bounded or unbounded, across cores.
//
//     auto [tx, rx] = eddy::sync::mpsc::channel<std::string>(1024);   // bounded
//     eddy::spawn_on(1, produce(tx));            // senders are copied to any core
//     while (auto line = co_await rx.recv())     // std::nullopt once every sender is gone
//         use(*line);
//
// The channel lives on the core that made it, where its receiver must stay (as a socket
// does; using it elsewhere stops the program with a message). Senders go anywhere. Values
// from one sender arrive in the order sent. A send on the receiver's core is plain code (no
// lock, no atomic read-modify-write); a send from another core moves the value into a
// message for the receiver's core (one allocation and a few atomic operations: the inbox
// push, the count of values in flight, the state's reference, a bounded channel's slot) and
// the receiver resumes there.
//
// Closing: when every sender is gone, `recv` gives what is left, then `std::nullopt`. When
// the receiver is gone (or `close()`d), sends fail with `errc::channel_closed` and give the
// value back; a closed receiver still gets what was sent before, then `std::nullopt`. A bounded
// channel holds at most `capacity` values (see detail/mpsc_state.hpp for the brief excess when
// cores race for the last slots); `send` waits for room, `try_send` fails at once with
// `errc::channel_full`.
//
// Cancel safety: a cancelled `recv` loses nothing (the value stays queued); a cancelled
// bounded `send` sent nothing (cancelling it after it was accepted is refused: it was sent).
// Both work with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/result.hpp"
#include "eddy/sync/detail/mpsc_state.hpp"
#include "eddy/sync/send_result.hpp"

#include <coroutine>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace eddy::sync::mpsc {

template <class T> class sender;
template <class T> class unbounded_sender;
template <class T> class receiver;
template <class T> std::pair<sender<T>, receiver<T>> channel(std::size_t capacity);
template <class T> std::pair<unbounded_sender<T>, receiver<T>> unbounded_channel();

namespace detail {

template <class T> using state = sync::detail::mpsc_state<T>;

/// Shared by both kinds of sender: a counted reference to the channel.
template <class T> class sender_base {
  public:
    sender_base(const sender_base& o) noexcept : state_(o.state_) {
        if (state_) state_->add_sender();
    }
    sender_base(sender_base&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    sender_base& operator=(sender_base o) noexcept {
        std::swap(state_, o.state_);
        return *this;
    }
    ~sender_base() {
        if (state_) state_->drop_sender();
    }

  protected:
    explicit sender_base(state<T>* s) noexcept : state_(s) { state_->add_sender(); }

    /// A send that does not wait: on home, or reserved and posted from another core.
    send_result<T> send_at_once(T value) {
        if (state_->closed()) return {errc::channel_closed, std::move(value)};
        if (state_->called_at_home()) {
            if (!state_->room_here()) return {errc::channel_full, std::move(value)};
            state_->push_here(std::move(value));
            return {};
        }
        if (!state_->reserve_remote()) return {errc::channel_full, std::move(value)};
        if (auto back = state_->post_remote(std::move(value)))
            return {errc::channel_closed, std::move(*back)};
        return {};
    }

    state<T>* state_;
};

} // namespace detail

/// The sending side of a bounded channel. Copy it to have more senders.
template <class T> class sender : public detail::sender_base<T> {
    using base = detail::sender_base<T>;

  public:
    /// Awaits room, then sends. Gives `errc::channel_closed` (and the value back) when the
    /// receiver is gone. Cancel-safe: a cancelled send sent nothing.
    class send_awaiter final : public detail::state<T>::parked_sender {
        using parked = typename detail::state<T>::parked_sender;

      public:
        /// Sends `value` on the channel `s` (what `send` makes).
        send_awaiter(detail::state<T>& s, T value)
            : parked(s.home_mailbox()), state_(&s), value_(std::move(value)) {}

        /// Sends at once if it can (room here, or a slot reserved from another core): true
        /// when the outcome is known without waiting.
        bool await_ready() {
            if (state_->closed()) return settle(false);
            if (!state_->called_at_home() && state_->reserve_remote()) {
                // Room reserved from another core: the value travels on its own.
                if (auto back = state_->post_remote(std::move(value_))) {
                    value_ = std::move(*back);
                    return settle(false);
                }
                return settle(true);
            }
            return parked::await_ready();
        }
        /// Sent, or `errc::channel_closed` with the value back.
        send_result<T> await_resume() {
            this->mark_seen();
            if (sent_) return {};
            return {errc::channel_closed, std::move(value_)};
        }

        /// The value waiting to be sent (the channel takes it from here; not for user code).
        T& value() noexcept override { return value_; }
        /// Records whether the value went (the channel calls it; not for user code).
        void set_outcome(bool sent) noexcept override { sent_ = sent; }

      private:
        bool try_now() override {
            if (state_->closed()) return settle(false);
            if (!state_->room_here()) return false;
            state_->push_here(std::move(value_));
            return settle(true);
        }
        void park() override { state_->park(*this); }
        bool settle(bool sent) noexcept {
            sent_ = sent;
            return true;
        }

        detail::state<T>* state_;
        T value_;
        bool sent_ = false;
    };

    /// Awaits room, then sends `value`: `co_await` gives a `send_result<T>`, see
    /// `send_awaiter`. Values sent by one sender arrive in the order sent. Cancel-safe: a
    /// cancelled send sent nothing.
    send_awaiter send(T value) { return send_awaiter(*this->state_, std::move(value)); }

    /// Sends now if there is room: else `errc::channel_full`, or `errc::channel_closed`,
    /// with the value back.
    send_result<T> try_send(T value) { return this->send_at_once(std::move(value)); }

    /// The most values the channel holds.
    std::size_t capacity() const noexcept { return this->state_->capacity(); }

    /// True once the receiver is gone or closed: every send fails from now on.
    bool is_closed() const noexcept { return this->state_->closed(); }

  private:
    friend std::pair<sender<T>, receiver<T>> channel<T>(std::size_t);
    explicit sender(detail::state<T>* s) noexcept : base(s) {}
};

/// The sending side of an unbounded channel: `send` never waits. Copy it to have more.
template <class T> class unbounded_sender : public detail::sender_base<T> {
  public:
    /// Sends; fails (with the value back) only when the receiver is gone.
    send_result<T> send(T value) { return this->send_at_once(std::move(value)); }

    /// True once the receiver is gone or closed: every send fails from now on.
    bool is_closed() const noexcept { return this->state_->closed(); }

  private:
    friend std::pair<unbounded_sender<T>, receiver<T>> unbounded_channel<T>();
    explicit unbounded_sender(detail::state<T>* s) noexcept : detail::sender_base<T>(s) {}
};

/// The receiving side. It stays on the core that made the channel.
template <class T> class receiver {
  public:
    /// Waits until a value is queued or the stream ended. A value that is there at once
    /// counts against the task's coop budget, so a flooded receiver still lets its core run
    /// the others. Cancel-safe: waiting takes nothing.
    class wait_awaiter {
      public:
        /// Waits on the channel `s`.
        explicit wait_awaiter(detail::state<T>& s) noexcept : state_(&s) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        wait_awaiter(wait_awaiter&& o) noexcept : state_(o.state_) {}
        wait_awaiter& operator=(wait_awaiter&&) = delete;
        /// Stops waiting, if it still waits.
        ~wait_awaiter() { withdraw(); }

        /// True when a value or the end is there (and the coop budget allows going on). On
        /// another core than the channel's it stops the program with a message.
        bool await_ready() noexcept {
            state_->check_receiver();
            if (!state_->has_value() && !state_->ended()) return false;
            if (state_->home().coop_consume()) return true;
            yielded_ = true; // ready, but the budget is spent: run the others first
            return false;
        }
        /// Parks `h` until a value or the end comes (or behind the core's other ready tasks).
        void await_suspend(std::coroutine_handle<> h) noexcept {
            node_.handle = h;
            if (yielded_)
                state_->home().schedule(node_);
            else
                state_->set_waiting_receiver(&node_);
        }
        /// Refused once woken: the value (or the end) is there for it, and it runs on.
        bool cancel() noexcept {
            if (node_.linked()) return false;
            withdraw();
            return true;
        }

      protected:
        /// Takes this awaiter out of the channel, if it is the one waiting there.
        void withdraw() noexcept {
            if (state_->waiting_receiver() == &node_) state_->set_waiting_receiver(nullptr);
        }
        detail::state<T>* state_; ///< The channel.

      private:
        eddy::detail::ready_node node_;
        bool yielded_ = false;
    };

    /// Awaits the next value (see `recv()`).
    class recv_awaiter : public wait_awaiter {
      public:
        using wait_awaiter::wait_awaiter;
        /// The next value, taken from the queue; `std::nullopt` once the stream ended.
        std::optional<T> await_resume() {
            this->withdraw();
            return this->state_->pop();
        }
    };

    /// Awaits values for `recv_many()`.
    class recv_many_awaiter : public wait_awaiter {
      public:
        /// Moves up to `limit` values from `s` to the end of `out` (which must outlive it).
        recv_many_awaiter(detail::state<T>& s, std::vector<T>& out, std::size_t limit) noexcept
            : wait_awaiter(s), out_(&out), limit_(limit) {}
        /// How many values were moved to `out`; 0 once the stream ended.
        std::size_t await_resume() {
            this->withdraw();
            std::size_t n = 0;
            for (; n < limit_; ++n) {
                auto v = this->state_->pop();
                if (!v) break;
                out_->push_back(std::move(*v));
            }
            return n;
        }

      private:
        std::vector<T>* out_;
        std::size_t limit_;
    };

    /// Moves the receiver (on the channel's core); `o` is left empty.
    receiver(receiver&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    /// Drops this receiver's channel, if any (as the destructor), and takes `o`'s.
    receiver& operator=(receiver&& o) noexcept {
        if (this != &o) {
            reset();
            state_ = std::exchange(o.state_, nullptr);
        }
        return *this;
    }
    receiver(const receiver&) = delete;
    receiver& operator=(const receiver&) = delete;
    /// Closes the channel and drops the values queued and those still on their way.
    ~receiver() { reset(); }

    /// Awaits the next value; `std::nullopt` once every sender is gone and all was received.
    /// Cancel-safe: a cancelled recv takes nothing.
    recv_awaiter recv() noexcept { return recv_awaiter(*state_); }

    /// Awaits at least one value, then moves up to `limit` (at least 1) queued values to the
    /// end of `out`; gives how many, 0 only once every sender is gone and all was received.
    /// Cancel-safe, as `recv`.
    recv_many_awaiter recv_many(std::vector<T>& out, std::size_t limit) noexcept {
        return recv_many_awaiter(*state_, out, limit < 1 ? 1 : limit);
    }

    /// A value if one is queued; else `errc::would_block`, or `errc::channel_closed` once
    /// every sender is gone and the queue is empty.
    result<T> try_recv() {
        state_->check_receiver();
        if (auto v = state_->pop()) return std::move(*v);
        return state_->ended() ? errc::channel_closed : errc::would_block;
    }

    /// Closes the channel from this side: sends fail from now on; what is queued stays
    /// for `recv`.
    void close() noexcept {
        state_->check_receiver();
        state_->close_receiver();
    }

    /// Values queued now.
    std::size_t size() const noexcept { return state_->size(); }

  private:
    friend std::pair<sender<T>, receiver<T>> channel<T>(std::size_t);
    friend std::pair<unbounded_sender<T>, receiver<T>> unbounded_channel<T>();
    explicit receiver(detail::state<T>* s) noexcept : state_(s) {}

    void reset() noexcept {
        if (state_) std::exchange(state_, nullptr)->drop_receiver();
    }

    detail::state<T>* state_ = nullptr;
};

/// A bounded channel of `capacity` values (at least 1; 0 throws std::invalid_argument),
/// living on the calling core.
template <class T> std::pair<sender<T>, receiver<T>> channel(std::size_t capacity) {
    if (capacity == 0) throw std::invalid_argument("mpsc::channel: capacity must be at least 1");
    if (capacity == detail::state<T>::unbounded) --capacity;
    auto* s = new detail::state<T>(eddy::detail::current_scheduler(), capacity);
    return {sender<T>(s), receiver<T>(s)};
}

/// An unbounded channel, living on the calling core.
template <class T> std::pair<unbounded_sender<T>, receiver<T>> unbounded_channel() {
    auto* s = new detail::state<T>(eddy::detail::current_scheduler(), detail::state<T>::unbounded);
    return {unbounded_sender<T>(s), receiver<T>(s)};
}

} // namespace eddy::sync::mpsc
