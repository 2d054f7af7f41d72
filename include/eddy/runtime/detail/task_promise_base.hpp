// What every task's promise shares: the awaiter to resume, the operation the task waits on
// (so a cancellation can reach it), and where the task is when it has left its core.
//
// Every `co_await` inside a task goes through `await_transform`, which records the awaiter
// the task suspends on (two pointer stores, nothing else). A cancellation asks that
// awaiter, and through nested tasks the innermost one, whether it can be withdrawn.
//
// A task that hops away (`co_await eddy::on(n)`) marks itself away from its home, the core
// where it was awaited. While away, its home never reads the rest of its state (it runs on
// another thread): a cancellation registers with it instead, and is retried when the task
// comes back, by a hop or by ending. A task that ends away resumes its awaiter at home,
// through the home core's inbox.
#pragma once

#include "eddy/runtime/detail/awaitable_traits.hpp"
#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/detail/inbox.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"

#include <atomic>
#include <coroutine>
#include <utility>

namespace eddy::detail {

class scheduler;

/// Queues `m` for `target` from any thread (out of line: keeps the scheduler out of here).
void post_to(scheduler& target, inbox_message& m) noexcept;

/// The awaiter a task suspends on, wrapped so that the task knows it.
template <class Stored> class tracked_awaiter : private tracked_wait {
  public:
    template <class A>
    tracked_awaiter(A&& a, tracked_wait*& slot)
        : awaiter_(get_awaiter(std::forward<A>(a))), slot_(&slot) {}
    tracked_awaiter(const tracked_awaiter&) = delete;
    tracked_awaiter& operator=(const tracked_awaiter&) = delete;

    bool await_ready() { return awaiter_.await_ready(); }
    template <class P> auto await_suspend(std::coroutine_handle<P> h) {
        cancel = &cancel_stored;
        // Recorded before: the awaiter may hand the coroutine to another core, which may
        // resume it before await_suspend returns here.
        *slot_ = this;
        try {
            return awaiter_.await_suspend(h);
        } catch (...) {
            *slot_ = nullptr;
            throw;
        }
    }
    decltype(auto) await_resume() {
        *slot_ = nullptr;
        return awaiter_.await_resume();
    }

  private:
    static bool cancel_stored(tracked_wait* w, cancel_request& r) noexcept {
        return cancel_awaiter(static_cast<tracked_awaiter*>(w)->awaiter_, r);
    }

    Stored awaiter_; // the awaiter itself, or a reference to an awaiter the caller holds
    tracked_wait** slot_;
};

class task_promise_base {
  public:
    /// Resumes the awaiter: at once when the task is on the awaiter's core, else through
    /// the awaiter's inbox.
    class final_awaiter final : public inbox_message {
      public:
        bool await_ready() const noexcept { return false; }
        template <class Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
            task_promise_base& p = self.promise();
            if (!p.away_) return p.continuation_ ? p.continuation_ : std::noop_coroutine();
            promise_ = &p;
            node_.handle = p.continuation_;
            post_to(*p.home_, *this);
            return std::noop_coroutine();
        }
        void await_resume() const noexcept {}

        void deliver(scheduler& home) override;
        void discard() noexcept override {}

      private:
        task_promise_base* promise_ = nullptr;
        ready_node node_;
    };

    task_promise_base() = default;
    task_promise_base(const task_promise_base&) = delete;
    task_promise_base& operator=(const task_promise_base&) = delete;
    ~task_promise_base() { forget_requests(); }

    /// Lazy: the task starts when awaited, and from then on is known to have started.
    class initial_awaiter {
      public:
        bool await_ready() const noexcept { return false; }
        void await_suspend(std::coroutine_handle<>) const noexcept {}
        void await_resume() const noexcept { promise_->started_ = true; }
        task_promise_base* promise_;
    };
    initial_awaiter initial_suspend() noexcept { return {this}; }
    final_awaiter final_suspend() const noexcept { return {}; }
    void set_continuation(std::coroutine_handle<> c) noexcept { continuation_ = c; }

    template <class A>
    tracked_awaiter<decltype(get_awaiter(std::declval<A>()))> await_transform(A&& a) {
        return {std::forward<A>(a), waiting_};
    }

    /// Cancels the task `self` (whose promise this is) on its home core: true when its
    /// frame may now be destroyed. False when the operation it waits on completed, when it
    /// has finished, or when it is away (then `r` is retried once it is back).
    bool cancel_task(std::coroutine_handle<> self, cancel_request& r) noexcept;

    // --- moving between cores (hops), see cross_core.hpp ---
    bool away() const noexcept { return away_; }
    scheduler& home() const noexcept { return *home_; }
    /// The task leaves `here`; the first departure from home records home.
    void leave(scheduler& here) noexcept {
        if (!away_) {
            home_ = &here;
            away_ = true;
        }
    }
    /// On the home core: the task is back. True when cancellations were waiting for it
    /// (they are retried on the next turn).
    bool came_home() noexcept;
    /// From any core: whether a cancellation waits for this task to come back.
    bool cancel_wanted() const noexcept {
        return pending_.load(std::memory_order_acquire) != nullptr;
    }

  private:
    friend class cancel_request;
    void add_request(cancel_request& r) noexcept;
    void remove_request(cancel_request& r) noexcept;
    void forget_requests() noexcept;

    std::coroutine_handle<> continuation_;
    tracked_wait* waiting_ = nullptr;
    scheduler* home_ = nullptr;
    std::atomic<cancel_request*> pending_{nullptr};
    bool away_ = false;
    bool started_ = false; // it ran: while it waits on nothing, it is running now
};

} // namespace eddy::detail
