// The state an mpsc channel's senders and receiver share. It lives on the receiver's core
// (home): the queue, the waiting receiver and the parked senders are touched only there.
//
// A send on home pushes onto the queue and, if the receiver waits, queues it to run: plain
// code. A send on another core moves the value into a message for home's inbox (one
// allocation, one CAS; home pushes it when its loop takes the inbox). A bounded channel counts
// what it holds with three counters, each written by one side: `admitted_home_` and `taken_`
// by home (plain stores), `admitted_remote_` by other cores (CAS). A sender on another core
// reserves a slot before it posts, so a value in flight already counts. Home's check and a
// remote reservation racing for the last slots may both see room, because neither side
// waits for the other's latest store to be visible (that would cost home an atomic
// read-modify-write per send): the channel may then hold more than its capacity by the
// admissions of one side that the other had not seen yet, typically one value. It stays
// bounded, and no value is lost or reordered.
#pragma once

#include "eddy/sync/detail/home_core.hpp"
#include "eddy/sync/detail/home_operation.hpp"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <optional>
#include <utility>

namespace eddy::sync::detail {

template <class T> class mpsc_state {
  public:
    static constexpr std::size_t unbounded = std::numeric_limits<std::size_t>::max();

    mpsc_state(scheduler& home, std::size_t capacity) noexcept : home_(home), capacity_(capacity) {}

    /// The home scheduler: only on home.
    scheduler& home() const noexcept { return home_.core(); }
    /// Home's mailbox, for the parked senders (home_operation.hpp).
    core_mailbox& home_mailbox() const noexcept { return home_.mailbox(); }
    /// True when the caller runs on home (see home_core.hpp).
    bool called_at_home() const noexcept { return home_.called_here(); }
    std::size_t capacity() const noexcept { return capacity_; }
    bool bounded() const noexcept { return capacity_ != unbounded; }

    // --- ownership: the receiver, each sender, and each value in flight hold a reference ---
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }
    void add_sender() noexcept {
        senders_.fetch_add(1, std::memory_order_relaxed);
        add_ref();
    }
    /// The last sender gone ends the stream: the receiver sees it after every value sent.
    /// The end travels through home's inbox even from home, so it comes after the values
    /// other cores posted before their senders went; from any thread, also one that runs no
    /// core, and also once the runtime is gone (the message is then discarded).
    void drop_sender() noexcept {
        if (senders_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            add_ref(); // for the message
            home_.post(senders_gone_message_);
        }
        release();
    }

    /// True once the receiver closed the channel or is gone: sends fail.
    bool closed() const noexcept { return closed_.load(std::memory_order_acquire); }

    // --- sending, on home ---
    /// True when a send on home may push now.
    bool room_here() const noexcept {
        if (!bounded()) return true;
        const auto held =
            static_cast<std::int64_t>(admitted_home_.load(std::memory_order_relaxed) +
                                      admitted_remote_.load(std::memory_order_acquire) -
                                      taken_.load(std::memory_order_relaxed));
        return held < static_cast<std::int64_t>(capacity_) && parked_senders_.empty();
    }
    void push_here(T value) {
        queue_.push_back(std::move(value));
        if (bounded()) bump(admitted_home_);
        wake_receiver();
    }

    // --- sending, from another core ---
    /// Reserves a slot for a value that will travel to home; false when the channel is full.
    bool reserve_remote() noexcept {
        if (!bounded()) return true;
        auto remote = admitted_remote_.load(std::memory_order_relaxed);
        for (;;) {
            const auto taken = taken_.load(std::memory_order_acquire);
            const auto home = admitted_home_.load(std::memory_order_acquire);
            const auto held = static_cast<std::int64_t>(home + remote - taken);
            if (held >= static_cast<std::int64_t>(capacity_)) return false;
            if (admitted_remote_.compare_exchange_weak(
                    remote, remote + 1, std::memory_order_acq_rel, std::memory_order_relaxed))
                return true;
        }
    }
    /// Sends a value whose slot is reserved: it travels to home in a message. Gives the
    /// value back if the receiver closed meanwhile.
    ///
    /// A closed channel's receiver still gets the values that were sent before: it ends
    /// once none is in flight. The sender counts itself in flight, then looks at `closed_`;
    /// `close_receiver` sets `closed_`, then looks at the count (all four sequentially
    /// consistent), so one of them sees the other: either the receiver waits for this
    /// value, or this send fails. A failed send still lands an empty message, which ends the
    /// count it took.
    std::optional<T> post_remote(T value) {
        add_ref(); // for the message
        posted_.fetch_add(1, std::memory_order_seq_cst);
        if (closed_.load(std::memory_order_seq_cst)) {
            if (bounded()) admitted_remote_.fetch_sub(1, std::memory_order_acq_rel);
            home_.post(*new remote_value(*this));
            return value;
        }
        home_.post(*new remote_value(*this, std::move(value)));
        return std::nullopt;
    }

    // --- parked senders of a bounded channel, on home ---
    /// A sender waiting for room; `admit(value)` and `refuse()` end its wait.
    class parked_sender : public home_operation {
      public:
        using home_operation::home_operation;
        parked_sender(parked_sender&&) noexcept = default;
        virtual T& value() noexcept = 0;
        virtual void set_outcome(bool sent) noexcept = 0;
    };
    void park(parked_sender& s) noexcept { parked_senders_.push_back(s); }

    // --- receiving, on home ---
    void check_receiver() const noexcept { home_.check("an mpsc receiver"); }
    bool has_value() const noexcept { return !queue_.empty(); }
    /// Nothing more will come: every sender is gone, or the receiver closed and no value is
    /// in flight. (Checked after the queue is empty.)
    bool ended() const noexcept {
        return queue_.empty() &&
               (senders_gone_ || (closed_.load(std::memory_order_relaxed) &&
                                  posted_.load(std::memory_order_seq_cst) == arrived_));
    }
    std::size_t size() const noexcept { return queue_.size(); }

    std::optional<T> pop() {
        if (queue_.empty()) return std::nullopt;
        std::optional<T> v(std::move(queue_.front()));
        queue_.pop_front();
        if (bounded()) {
            bump(taken_);
            admit_parked();
        }
        return v;
    }

    /// At most one receiver waits: it is queued to run when a value comes or the stream ends.
    void set_waiting_receiver(ready_node* n) noexcept { receiver_waiting_ = n; }
    ready_node* waiting_receiver() const noexcept { return receiver_waiting_; }

    /// The receiver closes: senders fail from now on, parked senders get their values back.
    /// What is queued stays for the receiver to drain.
    void close_receiver() noexcept {
        closed_.store(true, std::memory_order_seq_cst);
        while (auto* s = parked_senders_.pop_front()) {
            s->set_outcome(false);
            s->finish();
        }
    }
    /// The receiver is destroyed: also drops what is queued and what arrives.
    void drop_receiver() noexcept {
        close_receiver();
        receiver_dropped_ = true;
        queue_.clear();
        release();
    }

  private:
    class remote_value final : public inbox_message {
      public:
        /// A failed send's landing: no value.
        explicit remote_value(mpsc_state& s) noexcept : state_(&s) {}
        remote_value(mpsc_state& s, T v) : state_(&s) { value_.emplace(std::move(v)); }
        void deliver(scheduler&) override {
            state_->arrive(std::move(value_));
            state_->release();
            delete this;
        }
        void discard() noexcept override {
            state_->release();
            delete this;
        }

      private:
        mpsc_state* state_;
        std::optional<T> value_; // empty: a send that failed, landing its count
    };

    class senders_gone_message final : public inbox_message {
      public:
        explicit senders_gone_message(mpsc_state& s) noexcept : state_(&s) {}
        void deliver(scheduler&) override {
            state_->on_senders_gone();
            state_->release();
        }
        void discard() noexcept override { state_->release(); }

      private:
        mpsc_state* state_;
    };

    ~mpsc_state() = default;

    static void bump(std::atomic<std::uint64_t>& counter) noexcept {
        // Written by one core only: a plain store, no read-modify-write.
        counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }

    void arrive(std::optional<T> value) {
        ++arrived_;
        if (value && receiver_dropped_) {
            if (bounded()) bump(taken_); // its slot is free again
            value.reset();
        }
        if (value) queue_.push_back(std::move(*value));
        if (value || ended()) wake_receiver();
    }

    void admit_parked() {
        while (auto* s = parked_senders_.front()) {
            const auto held =
                static_cast<std::int64_t>(admitted_home_.load(std::memory_order_relaxed) +
                                          admitted_remote_.load(std::memory_order_acquire) -
                                          taken_.load(std::memory_order_relaxed));
            if (held >= static_cast<std::int64_t>(capacity_)) return;
            s->unlink();
            queue_.push_back(std::move(s->value()));
            bump(admitted_home_);
            s->set_outcome(true);
            s->finish();
        }
    }

    void on_senders_gone() noexcept {
        senders_gone_ = true;
        wake_receiver();
    }

    void wake_receiver() noexcept {
        if (receiver_waiting_) home().schedule(*std::exchange(receiver_waiting_, nullptr));
    }

    home_core home_;
    const std::size_t capacity_;
    std::atomic<int> refs_{1}; // the receiver's
    std::atomic<std::size_t> senders_{0};
    std::atomic<bool> closed_{false};
    // Values other cores posted (they count themselves), and of those, how many arrived
    // (home only): the difference is in flight.
    std::atomic<std::uint64_t> posted_{0};
    std::atomic<std::uint64_t> admitted_home_{0};
    std::atomic<std::uint64_t> admitted_remote_{0};
    std::atomic<std::uint64_t> taken_{0};
    senders_gone_message senders_gone_message_{*this};
    // Home only.
    std::deque<T> queue_;
    ready_node* receiver_waiting_ = nullptr;
    intrusive_list<parked_sender> parked_senders_;
    bool senders_gone_ = false;
    bool receiver_dropped_ = false;
    std::uint64_t arrived_ = 0;
};

} // namespace eddy::sync::detail
