// A core's inbox: the one way other threads hand work to a core. Many producers push with a
// CAS onto a lock-free stack; the owning core takes the whole stack with one exchange and
// runs it in arrival order. The producer whose push finds the stack empty wakes the core
// (one eventfd write per batch, not per message). At teardown the inbox is closed: a push
// after that is refused, and the caller discards the message.
#pragma once

#include <atomic>

namespace eddy::detail {

class scheduler;

/// A message to a core. It often lives inside a suspended coroutine frame (a hop between
/// cores), so the inbox never owns or frees it: `deliver` and `discard` decide.
class inbox_message {
  public:
    /// Runs on the receiving core, in its loop.
    virtual void deliver(scheduler& receiver) = 0;
    /// Runs instead of `deliver` when the runtime shuts down with the message still queued.
    virtual void discard() noexcept = 0;

  protected:
    // Never deleted through this base; virtual only so no compiler warns that it could be.
    virtual ~inbox_message() = default;

  private:
    friend class inbox;
    inbox_message* next_ = nullptr;
};

class inbox {
  public:
    enum class pushed {
        first,  ///< the inbox was empty: the caller must wake the core
        queued, ///< behind others: the core is awake or being woken
        closed, ///< refused (the inbox is closed): the caller discards the message
    };

    /// Pushes a message.
    pushed push(inbox_message* m) noexcept {
        inbox_message* head = head_.load(std::memory_order_relaxed);
        do {
            if (head == closed_marker()) return pushed::closed;
            m->next_ = head;
        } while (!head_.compare_exchange_weak(head, m, std::memory_order_release,
                                              std::memory_order_relaxed));
        return head == nullptr ? pushed::first : pushed::queued;
    }

    /// Takes every queued message, oldest first; returns the first (follow `next`).
    inbox_message* take_all() noexcept {
        return oldest_first(head_.exchange(nullptr, std::memory_order_acquire));
    }

    /// Closes the inbox for good and takes what was queued, oldest first.
    inbox_message* close() noexcept {
        return oldest_first(head_.exchange(closed_marker(), std::memory_order_acquire));
    }

    static inbox_message* next(inbox_message* m) noexcept { return m->next_; }

    /// True when nothing is queued (or the inbox is closed).
    bool empty() const noexcept {
        inbox_message* head = head_.load(std::memory_order_acquire);
        return head == nullptr || head == closed_marker();
    }

    /// True once the inbox is closed.
    bool closed() const noexcept {
        return head_.load(std::memory_order_acquire) == closed_marker();
    }

  private:
    // Never dereferenced: a value no message can have.
    static inbox_message* closed_marker() noexcept {
        return reinterpret_cast<inbox_message*>(alignof(inbox_message));
    }

    static inbox_message* oldest_first(inbox_message* newest) noexcept {
        if (newest == closed_marker()) return nullptr;
        inbox_message* oldest = nullptr;
        while (newest) {
            inbox_message* next = newest->next_;
            newest->next_ = oldest;
            oldest = newest;
            newest = next;
        }
        return oldest;
    }

    std::atomic<inbox_message*> head_{nullptr};
};

} // namespace eddy::detail
