// `task_group<T>`: a set of spawned tasks, awaited in the order they finish (Tokio's
// `JoinSet`). Destroying the group aborts the tasks still in it: at once where they wait on
// this core; a task that is away on another core at that moment is aborted when it comes
// back, and runs on there until then (so await `join_all()` first when the tasks borrow
// from the group's scope and may hop).
//
//     eddy::task_group<std::size_t> group;
//     for (auto& peer : peers) group.spawn(fetch(peer));     // each runs at once
//     while (auto done = co_await group.next()) {              // nullopt once the group is empty
//         if (*done) total += **done;                          // result<std::size_t>
//     }
//
// The tasks run on the calling core (they may hop to another core and back, see
// cross_core.hpp). A group, like a `join_handle`, is used on that core only; it cannot be
// moved, as its tasks report to it. A task of the group may abort the group (the first
// failure ends the rest): it is itself aborted at its next wait.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/intrusive_list.hpp"
#include "eddy/runtime/detail/join_state.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"

#include <cassert>
#include <coroutine>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace eddy {

/// Spawned tasks awaited in the order they finish (Tokio's `JoinSet`); see the top.
template <class T = void> class task_group {
    // One task of the group: in `running_` until it ends, then in `finished_` until `next`
    // takes it.
    class member final : public detail::list_hook, private detail::finish_listener {
      public:
        member(task_group& g, join_handle<T> h) noexcept : group_(&g), handle_(std::move(h)) {
            detail::state_of(handle_)->set_listener(this);
        }
        member(const member&) = delete;
        member& operator=(const member&) = delete;
        // An outcome the group never gave out is dropped, exceptions too (see ~task_group).
        ~member() {
            auto* state = detail::state_of(handle_);
            state->set_listener(nullptr);
            state->forget_outcome();
        }
        join_handle<T>& handle() noexcept { return handle_; }

      private:
        void task_finished() noexcept override { group_->finished(*this); }

        task_group* group_;
        join_handle<T> handle_;
    };

  public:
    /// The awaiter of `next()`.
    class next_awaiter {
      public:
        /// Waits on the group `g` (what `next` makes).
        explicit next_awaiter(task_group& g) noexcept : group_(&g) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        next_awaiter(next_awaiter&& o) noexcept : group_(o.group_) {}
        next_awaiter& operator=(next_awaiter&&) = delete;
        /// Stops waiting, if it still waits.
        ~next_awaiter() {
            if (group_->waiter_ == this) group_->waiter_ = nullptr;
        }

        /// True when a task has finished already, or none is running.
        bool await_ready() const noexcept {
            return !group_->finished_.empty() || group_->running_.empty();
        }
        /// Parks `h` until a task of the group finishes. One task awaits `next()` at a time
        /// (asserted).
        void await_suspend(std::coroutine_handle<> h) noexcept {
            assert(!group_->waiter_ && "two tasks await next() on one task_group");
            node_.handle = h;
            owner_ = &detail::current_scheduler();
            group_->waiter_ = this;
        }
        /// The outcome of the task that finished first, as its join handle gives it (the
        /// value, or `operation_canceled` for an aborted task); nullopt when the group is
        /// empty. Rethrows the exception a task ended with (the task leaves the group).
        std::optional<result<T>> await_resume() { return group_->take_finished(); }

        /// Stops waiting, losing nothing: a task that finished stays for the next `next()`.
        /// False when one finished and this wait is queued to take it.
        bool cancel() noexcept {
            if (node_.linked()) return false;
            group_->waiter_ = nullptr;
            return true;
        }

      private:
        friend class task_group;
        task_group* group_;
        detail::scheduler* owner_ = nullptr;
        detail::ready_node node_;
    };

    /// An empty group; it belongs to the core of its first `spawn` (or `next`).
    task_group() = default;
    task_group(const task_group&) = delete;
    task_group& operator=(const task_group&) = delete;
    /// Aborts the tasks still running; one that is away on another core ends when it comes
    /// back (see `join_handle::abort`). Unclaimed outcomes, exceptions too, are dropped.
    ~task_group() {
        abort_all();
        running_.for_each([](member& m) { delete &m; });
        finished_.for_each([](member& m) { delete &m; });
    }

    /// Starts `t` on the calling core, concurrently with the caller and the group's others.
    /// On another core than the group's it stops the program with a message.
    void spawn(task<T> t) {
        check_core();
        auto owned = std::make_unique<member>(*this, eddy::spawn(std::move(t)));
        running_.push_back(*owned.release());
        ++size_;
    }

    /// Awaits the next task to finish, in the order they finish: `co_await` gives its outcome
    /// (see `next_awaiter::await_resume`), `std::nullopt` once the group is empty.
    /// Cancel-safe: a cancelled `next()` (under `timeout`) loses no finished task.
    next_awaiter next() noexcept {
        check_core();
        return next_awaiter(*this);
    }

    /// Awaits every task of the group; their outcomes in the order they finished. Rethrows
    /// the first exception a task ended with (the tasks after it stay in the group).
    /// Cancel-safe as `next()` is, except for outcomes it already took.
    task<std::vector<result<T>>> join_all() {
        std::vector<result<T>> outcomes;
        while (auto done = co_await next())
            outcomes.push_back(std::move(*done));
        co_return outcomes;
    }

    /// Aborts every task still running (see `join_handle::abort`); `next()` gives them as
    /// `operation_canceled`.
    void abort_all() noexcept {
        running_.for_each([](member& m) { m.handle().abort(); });
    }

    /// Tasks in the group: running, or finished and not yet taken by `next()`.
    std::size_t size() const noexcept { return size_; }
    /// True when `size()` is 0.
    bool empty() const noexcept { return size_ == 0; }

  private:
    // A group stays on the core of its first spawn, as its tasks and join handles do.
    void check_core() noexcept {
        if (!home_)
            home_ = detail::current_scheduler_or_null();
        else
            detail::check_owner(*home_, "a task group");
    }
    detail::scheduler* home_ = nullptr;

    void finished(member& m) noexcept {
        m.unlink();
        finished_.push_back(m);
        if (waiter_) waiter_->owner_->schedule(std::exchange(waiter_, nullptr)->node_);
    }

    std::optional<result<T>> take_finished() {
        std::unique_ptr<member> m(finished_.pop_front());
        if (!m) return std::nullopt;
        --size_;
        return m->handle().outcome();
    }

    detail::intrusive_list<member> running_;
    detail::intrusive_list<member> finished_;
    next_awaiter* waiter_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace eddy
