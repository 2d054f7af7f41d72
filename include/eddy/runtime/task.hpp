// `task<T>`: the coroutine type of eddy. A function returning `task<T>` runs when it is
// awaited (tasks are lazy) and hands its value, or its exception, to the awaiter.
//
//     eddy::task<int> answer() { co_return 42; }
//     eddy::task<> user() { int v = co_await answer(); }
//
// Tasks are move-only and own their frame: destroying a task that has not finished destroys
// its frame, and with it every operation it was waiting on. Completion resumes the awaiter
// by symmetric transfer, so a long chain of tasks that finish at once does not grow the
// stack (on g++ this needs optimisation; the sanitizer build uses clang, which does it at
// every level).
//
// A task may move to another core (`co_await eddy::on(n)`) and end there: its awaiter is
// still resumed on the core where it awaited, through that core's inbox.
//
// Cancel safety: a task awaited under `timeout` is cancelled by withdrawing the operation it
// waits on, then destroying its frame. If that operation has already completed (its result
// is queued for the task), the task is not destroyed: it runs on to its next suspension and
// is cancelled there, so a result that arrived is never dropped. A task that is on another
// core at that moment is cancelled when it comes back (see `eddy::on`).
#pragma once

#include "eddy/runtime/detail/awaitable_traits.hpp"
#include "eddy/runtime/detail/task_promise_base.hpp"

#include <cassert>
#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace eddy {

template <class T = void> class task;

namespace detail {

template <class T> class task_promise final : public task_promise_base {
  public:
    task<T> get_return_object() noexcept;
    void unhandled_exception() noexcept { outcome_.template emplace<2>(std::current_exception()); }

    template <class U>
        requires std::is_convertible_v<U&&, T>
    void return_value(U&& v) { outcome_.template emplace<1>(std::forward<U>(v)); }

    T take() {
        if (outcome_.index() == 2) std::rethrow_exception(std::get<2>(outcome_));
        assert(outcome_.index() == 1 && "task resumed its awaiter without a value");
        return std::move(std::get<1>(outcome_));
    }

  private:
    std::variant<std::monostate, T, std::exception_ptr> outcome_;
};

template <> class task_promise<void> final : public task_promise_base {
  public:
    task<void> get_return_object() noexcept;
    void unhandled_exception() noexcept { exception_ = std::current_exception(); }
    void return_void() noexcept {}
    void take() {
        if (exception_) std::rethrow_exception(exception_);
    }

  private:
    std::exception_ptr exception_;
};

template <class T> std::coroutine_handle<> handle_of(task<T>& t) noexcept;
template <class T> task_promise_base* promise_of(task<T>& t) noexcept;

} // namespace detail

/// A lazy coroutine that gives a `T` (or throws) to the one that awaits it; see the top.
template <class T> class [[nodiscard]] task {
  public:
    using promise_type = detail::task_promise<T>;            ///< The coroutine's promise.
    using handle_type = std::coroutine_handle<promise_type>; ///< The handle `release()` gives.
    using value_type = T;                                    ///< What awaiting the task gives.

    /// Awaits the task: starts it, and resumes the awaiter with its value when it ends.
    class awaiter {
      public:
        /// Awaits `t`, which must outlive the awaiter.
        explicit awaiter(task& t) noexcept : task_(&t) {}
        /// True when there is nothing to start: the task has finished (or is empty).
        bool await_ready() const noexcept { return !task_->handle_ || task_->handle_.done(); }
        /// Starts (or resumes) the task, which resumes `caller` when it ends.
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
            task_->handle_.promise().set_continuation(caller);
            return task_->handle_;
        }
        /// The task's value; rethrows the exception it ended with.
        T await_resume() {
            assert(task_->handle_ && "awaiting an empty or cancelled task");
            return task_->handle_.promise().take();
        }
        /// Cancels the task while it waits: withdraws the operation it waits on and destroys
        /// its frame. False (the task runs on, and `r` is retried) when that operation has
        /// completed or the task is on another core.
        bool cancel(detail::cancel_request& r) noexcept {
            if (!task_->handle_) return true;
            if (!task_->handle_.promise().cancel_task(task_->handle_, r)) return false;
            task_->reset();
            return true;
        }
        /// One attempt, with no retry.
        bool cancel() noexcept {
            detail::cancel_request once;
            return cancel(once);
        }

      private:
        task* task_;
    };

    /// An empty task (not `valid()`); awaiting it is a programmer error.
    task() noexcept = default;
    /// Owns the coroutine `h` (what the promise gives; not for user code).
    explicit task(handle_type h) noexcept : handle_(h) {}
    /// Moves the task; `o` is left empty.
    task(task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
    /// Destroys this task's coroutine, if any, and takes `o`'s; `o` is left empty.
    task& operator=(task&& o) noexcept {
        if (this != &o) {
            reset();
            handle_ = std::exchange(o.handle_, {});
        }
        return *this;
    }
    task(const task&) = delete;
    task& operator=(const task&) = delete;
    /// Destroys the coroutine frame, finished or not (see `reset()`).
    ~task() { reset(); }

    /// Awaits the task in place: `co_await t` (see `awaiter`). Cancelled, the task is
    /// destroyed where it waits (see the top).
    awaiter operator co_await() & noexcept { return awaiter(*this); }
    /// Awaits a temporary task: `co_await make_task()`.
    awaiter operator co_await() && noexcept { return awaiter(*this); }

    /// True while the task holds a coroutine (it was not moved from or reset).
    bool valid() const noexcept { return static_cast<bool>(handle_); }
    /// True once the task has run to its end (returned or thrown).
    bool done() const noexcept { return handle_ && handle_.done(); }

    /// Destroys the coroutine frame now, whether or not it has finished; the task is then
    /// empty.
    void reset() noexcept {
        if (handle_) std::exchange(handle_, {}).destroy();
    }
    /// Gives up ownership of the frame (the caller destroys it).
    handle_type release() noexcept { return std::exchange(handle_, {}); }

  private:
    template <class U> friend std::coroutine_handle<> detail::handle_of(task<U>&) noexcept;
    template <class U> friend detail::task_promise_base* detail::promise_of(task<U>&) noexcept;
    handle_type handle_;
};

namespace detail {
template <class T> task<T> task_promise<T>::get_return_object() noexcept {
    return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
    return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
template <class T> std::coroutine_handle<> handle_of(task<T>& t) noexcept {
    return t.handle_;
}
template <class T> task_promise_base* promise_of(task<T>& t) noexcept {
    return t.handle_ ? &t.handle_.promise() : nullptr;
}
} // namespace detail

} // namespace eddy
