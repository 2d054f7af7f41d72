// `oneshot`: one value, sent once, from any core to a receiver (Tokio's `oneshot`).
//
//     auto [tx, rx] = eddy::sync::oneshot::channel<int>();
//     eddy::spawn_on(1, compute(std::move(tx)));        // compute: tx.send(42);
//     eddy::result<int> v = co_await rx.recv();          // 42, or channel_closed
//
// The channel lives on the core that made it, where the receiver stays (using it elsewhere
// stops the program with a message). The sender may move to any core. `send` fails, giving
// the value back, when the receiver is gone; `recv` gives `errc::channel_closed` when the
// sender is gone without sending. A send on the receiver's core is plain code; from another
// core the value travels in a message (one allocation).
//
// Cancel-safe: a cancelled `recv` takes nothing (the value stays for the next `recv`).
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/result.hpp"
#include "eddy/sync/detail/home_state.hpp"
#include "eddy/sync/send_result.hpp"

#include <atomic>
#include <coroutine>
#include <optional>
#include <utility>

namespace eddy::sync::oneshot {

template <class T> class sender;
template <class T> class receiver;
template <class T> std::pair<sender<T>, receiver<T>> channel();

namespace detail {

template <class T> class state final : public sync::detail::home_state {
  public:
    using home_state::home_state;

    // On home.
    void deliver(T value) {
        if (receiver_gone()) return;
        value_.emplace(std::move(value));
        end();
    }
    void end() noexcept {
        ended_ = true;
        if (waiting_) home().schedule(*std::exchange(waiting_, nullptr));
    }
    bool ended() const noexcept { return ended_; }
    std::optional<T>& value() noexcept { return value_; }
    void set_waiting(eddy::detail::ready_node* n) noexcept { waiting_ = n; }
    eddy::detail::ready_node* waiting() const noexcept { return waiting_; }

    // Any core.
    bool receiver_gone() const noexcept { return receiver_gone_.load(std::memory_order_acquire); }
    void drop_receiver() noexcept { receiver_gone_.store(true, std::memory_order_release); }

  private:
    std::atomic<bool> receiver_gone_{false};
    std::optional<T> value_;                      // home only
    eddy::detail::ready_node* waiting_ = nullptr; // home only
    bool ended_ = false;                          // home only: sent, or the sender is gone
};

} // namespace detail

/// The sending side: sends one value, once, from any core. Move-only.
template <class T> class sender {
  public:
    /// Moves the sender; `o` is left empty.
    sender(sender&&) noexcept = default;
    /// Drops this sender (as the destructor) and takes `o`'s channel.
    sender& operator=(sender&& o) noexcept {
        if (this != &o) {
            finish();
            state_ = std::move(o.state_);
        }
        return *this;
    }
    /// A sender gone without sending ends the channel: `recv` gives `errc::channel_closed`.
    ~sender() { finish(); }

    /// Sends the value (once: the sender is used up); fails with `errc::channel_closed`,
    /// giving the value back, when the receiver is gone.
    send_result<T> send(T value) && {
        auto ref = std::move(state_);
        if (ref->receiver_gone()) return {errc::channel_closed, std::move(value)};
        auto* s = ref.get();
        if (s->called_at_home()) {
            s->deliver(std::move(value));
        } else {
            s->run_at_home([s, v = std::move(value)]() mutable { s->deliver(std::move(v)); });
        }
        return {};
    }
    /// True once the receiver is gone.
    bool is_closed() const noexcept { return state_->receiver_gone(); }

  private:
    friend std::pair<sender<T>, receiver<T>> channel<T>();
    explicit sender(sync::detail::state_ref<detail::state<T>> s) noexcept : state_(std::move(s)) {}
    // A sender gone without sending ends the channel: the receiver gets channel_closed.
    void finish() noexcept {
        if (!state_) return;
        auto ref = std::move(state_);
        auto* s = ref.get();
        s->run_at_home([s] { s->end(); });
    }
    sync::detail::state_ref<detail::state<T>> state_;
};

/// The receiving side: it stays on the core that made the channel. Move-only.
template <class T> class receiver {
  public:
    /// Awaits the value (see `recv()`).
    class recv_awaiter {
      public:
        /// Waits on the channel `s`.
        explicit recv_awaiter(detail::state<T>& s) noexcept : state_(&s) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        recv_awaiter(recv_awaiter&& o) noexcept : state_(o.state_) {}
        recv_awaiter& operator=(recv_awaiter&&) = delete;
        /// Stops waiting, if it still waits.
        ~recv_awaiter() { withdraw(); }

        /// True once the value came or the sender is gone. On another core than the
        /// channel's it stops the program with a message.
        bool await_ready() const noexcept {
            state_->check_home("a oneshot receiver");
            return state_->ended();
        }
        /// Parks `h` until the value comes or the sender is gone.
        void await_suspend(std::coroutine_handle<> h) noexcept {
            node_.handle = h;
            state_->set_waiting(&node_);
        }
        /// The value; `errc::channel_closed` when the sender went without sending (or the
        /// value was taken by an earlier recv).
        result<T> await_resume() {
            withdraw();
            auto& v = state_->value();
            if (!v) return errc::channel_closed;
            T out = std::move(*v);
            v.reset();
            return out;
        }
        /// Refused once woken: the value (or the end) is there for it, and it runs on.
        bool cancel() noexcept {
            if (node_.linked()) return false;
            withdraw();
            return true;
        }

      private:
        void withdraw() noexcept {
            if (state_->waiting() == &node_) state_->set_waiting(nullptr);
        }
        detail::state<T>* state_;
        eddy::detail::ready_node node_;
    };

    /// Moves the receiver; `o` is left empty.
    receiver(receiver&&) noexcept = default;
    /// Drops this receiver (as the destructor) and takes `o`'s channel.
    receiver& operator=(receiver&& o) noexcept {
        if (this != &o) {
            finish();
            state_ = std::move(o.state_);
        }
        return *this;
    }
    /// Closes the channel: a later `send` fails and gives its value back.
    ~receiver() { finish(); }

    /// Awaits the value: `co_await` gives `result<T>`, `errc::channel_closed` when the
    /// sender went without sending. Cancel-safe.
    recv_awaiter recv() noexcept { return recv_awaiter(*state_); }
    /// `co_await rx` is `co_await rx.recv()` (cancel-safe as well).
    recv_awaiter operator co_await() noexcept { return recv(); }

    /// The value if it came; `errc::would_block` if it may still come; `errc::channel_closed`
    /// if it never will.
    result<T> try_recv() {
        state_->check_home("a oneshot receiver");
        auto& v = state_->value();
        if (v) {
            T out = std::move(*v);
            v.reset();
            return out;
        }
        return state_->ended() ? errc::channel_closed : errc::would_block;
    }

  private:
    friend std::pair<sender<T>, receiver<T>> channel<T>();
    explicit receiver(sync::detail::state_ref<detail::state<T>> s) noexcept
        : state_(std::move(s)) {}
    void finish() noexcept {
        if (state_) state_->drop_receiver();
    }
    sync::detail::state_ref<detail::state<T>> state_;
};

/// A oneshot channel living on the calling core.
template <class T> std::pair<sender<T>, receiver<T>> channel() {
    sync::detail::state_ref<detail::state<T>> s(
        new detail::state<T>(eddy::detail::current_scheduler()));
    auto copy = s;
    return {sender<T>(std::move(copy)), receiver<T>(std::move(s))};
}

} // namespace eddy::sync::oneshot
