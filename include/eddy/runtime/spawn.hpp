// `spawn`: run a task on the calling core, detached from the caller, and get a
// `join_handle` to await its result or abort it.
//
//     auto h = eddy::spawn(serve(std::move(stream)));   // runs on its own from now on
//     eddy::result<int> r = co_await h;                  // its value, or operation_canceled
//     auto soon = co_await eddy::timeout(1s, h);         // timed_out: the task runs on, and
//                                                        // h can be awaited again
//     h.abort();                                         // destroys it where it waits
//
// The task stays on this core. Dropping the handle detaches the task; an exception it ends
// with is then logged. A join_handle must be used on the core that spawned the task.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/root_task.hpp"
#include "eddy/runtime/task.hpp"

#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

namespace eddy {

template <class T> class join_handle;

namespace detail {
/// What the handle shares with its task (for a `task_group`, which listens for its end).
template <class T> join_state<T>* state_of(join_handle<T>& h) noexcept;
} // namespace detail

/// The handle of a task started by `spawn`: await it for the task's outcome, or `abort()`
/// it. Move-only; dropping it detaches the task. Used on the core that spawned the task.
template <class T> class join_handle {
    using state_type = detail::join_state<T>;

  public:
    /// Awaits the task's end. Cancel-safe: a cancelled wait (under `timeout`) leaves the
    /// task running and the handle ready to be awaited again.
    class awaiter {
      public:
        /// Waits on the task `s` is the state of (what `operator co_await` passes).
        explicit awaiter(state_type* s) noexcept : state_(s) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        awaiter(awaiter&& o) noexcept : state_(o.state_) {}
        awaiter& operator=(awaiter&&) = delete;
        /// Stops waiting, if it still waits.
        ~awaiter() {
            if (state_->joiner() == &node_) state_->set_joiner(nullptr);
        }

        /// True when the task has ended already. On another core than the task's home it
        /// stops the program with a message.
        bool await_ready() const noexcept {
            detail::check_owner(state_->owner(), "a join handle");
            return state_->finished();
        }
        /// Parks `h` until the task ends. A second task awaiting the same handle at once stops
        /// the program with a message.
        void await_suspend(std::coroutine_handle<> h) noexcept {
            if (state_->joiner())
                detail::misuse("a join handle was awaited by two tasks at once: one task "
                               "awaits it (share the outcome through a channel)");
            node_.handle = h;
            state_->set_joiner(&node_);
        }
        /// The task's value; `errc::operation_canceled` if it was aborted or the runtime
        /// stopped; rethrows the exception the task ended with.
        result<T> await_resume() { return outcome_of(*state_); }

        /// Stops waiting (under `timeout`): the task runs on, and the handle can be awaited
        /// again. False when the task has ended and the joiner is queued with its outcome.
        bool cancel() noexcept {
            if (state_->finished()) return false;
            if (state_->joiner() == &node_) state_->set_joiner(nullptr);
            return true;
        }

      private:
        state_type* state_;
        detail::ready_node node_;
    };

    /// An empty handle, of no task; only assigning to it or destroying it is valid.
    join_handle() noexcept = default;
    /// The handle of the task whose state is `s` (what `spawn` makes; not for user code).
    explicit join_handle(state_type* s) noexcept : state_(s) {}
    /// Moves the handle; `o` is left empty.
    join_handle(join_handle&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    /// Detaches this handle's task, if any, and takes `o`'s; `o` is left empty.
    join_handle& operator=(join_handle&& o) noexcept {
        if (this != &o) {
            detach();
            state_ = std::exchange(o.state_, nullptr);
        }
        return *this;
    }
    /// Detaches the task (see `detach()`).
    ~join_handle() { detach(); }

    /// Awaits the task's end: `co_await h` gives its value as a `result<T>` (see `awaiter`).
    /// Only one task may await a handle at a time. Cancel-safe: a cancelled wait leaves the
    /// task running.
    awaiter operator co_await() const noexcept { return awaiter(state_); }

    /// True once the task has ended: returned, thrown, or been aborted.
    bool is_finished() const noexcept { return state_->finished(); }

    /// The outcome of a finished task, as awaiting gives it (only once, and only when
    /// `is_finished()`): its value, `operation_canceled`, or its exception rethrown.
    result<T> outcome() { return outcome_of(*state_); }

    /// Destroys the task where it waits (its pending operations are cancelled and freed,
    /// and what it had read is lost with it). Awaiting the handle then gives
    /// `errc::operation_canceled`. No effect on a finished task. Call it on the core that
    /// spawned the task, from another task, not from the task itself.
    ///
    /// If the task has moved to another core (`eddy::on`), it is not touched from here:
    /// it ends when it comes back or ends (see cross_core.hpp), and meanwhile
    /// `is_finished()` stays false.
    void abort() noexcept {
        if (state_ && state_->root()) state_->root()->abort_root(state_->owner());
    }

    /// Lets the task run on without a handle; the handle is then empty. An exception the
    /// task ends with is logged: afterwards, by the task; already, and never taken
    /// through the handle, here.
    void detach() noexcept {
        if (state_) std::exchange(state_, nullptr)->release_handle();
    }

  private:
    template <class U> friend detail::join_state<U>* detail::state_of(join_handle<U>&) noexcept;
    static result<T> outcome_of(state_type& s) { return s.take(); }

    state_type* state_ = nullptr;
};

namespace detail {

template <class T> join_state<T>* state_of(join_handle<T>& h) noexcept {
    return h.state_;
}

template <class T> join_handle<T> spawn_on_scheduler(scheduler& s, task<T> t) {
    auto* state = new join_state<T>(s);
    auto child = handle_of(t);
    auto* child_promise = promise_of(t);
    auto root = run_root<T>(std::move(t), root_guard<T>(state));
    auto& promise = root.handle.promise();
    promise.child = child;
    promise.child_promise = child_promise;
    state->set_root(&promise);
    s.add_root(promise);
    promise.start.handle = root.handle;
    s.schedule(promise.start);
    return join_handle<T>(state);
}

/// Spawns the task `make()` returns on `s`, from any thread: the task is created on `s`.
template <class Make> void post_spawn(scheduler& s, Make make) {
    class message final : public inbox_message {
      public:
        explicit message(Make m) : make_(std::move(m)) {}
        void deliver(scheduler& receiver) override {
            // A core that is stopping starts nothing new: what the task would use may be gone.
            if (!receiver.stopping()) spawn_on_scheduler(receiver, make_()).detach();
            delete this;
        }
        void discard() noexcept override { delete this; }

      private:
        Make make_;
    };
    s.post(*new message(std::move(make)));
}

// Keeps a callable (and its captures) alive in the coroutine frame while its task runs.
template <class F> auto call_and_await(F f) -> std::invoke_result_t<F&> {
    co_return co_await f();
}

} // namespace detail

/// Runs `t` on the calling core, concurrently with the caller; it first runs at the core's
/// next turn. Gives the task's handle (drop it to detach the task). Only on a core (inside
/// `block_on` or a task).
template <class T> join_handle<T> spawn(task<T> t) {
    return detail::spawn_on_scheduler(detail::current_scheduler(), std::move(t));
}

/// Runs the task `f()` returns; `f` (a lambda and its captures) lives as long as the task.
template <class F>
    requires std::invocable<F&> &&(!std::is_same_v<std::remove_cvref_t<F>, task<>>)auto spawn(F f) {
        return spawn(detail::call_and_await(std::move(f)));
    }

} // namespace eddy
