// `task<T>`: the coroutine type of eddy. A function returning `task<T>` runs when it is
// awaited (tasks are lazy) and hands its value, or its exception, to the awaiter.
//
//     eddy::task<int> answer() { co_return 42; }
//     eddy::task<> user() { int v = co_await answer(); }
//
// Tasks are move-only and own their frame: destroying a task that has not finished destroys
// its frame, and with it every operation it was waiting on (that is how `timeout` and
// `join_handle::abort` cancel). Completion resumes the awaiter by symmetric transfer, so a
// long chain of tasks that finish at once does not grow the stack (on g++ this needs
// optimisation; the sanitizer build uses clang, which does it at every level).
#pragma once

#include <cassert>
#include <coroutine>
#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace eddy {

template <class T = void> class task;

namespace detail {

class task_promise_base {
  public:
    struct final_awaiter {
        bool await_ready() const noexcept { return false; }
        template <class Promise>
        std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
            auto next = self.promise().continuation_;
            return next ? next : std::noop_coroutine();
        }
        void await_resume() const noexcept {}
    };

    std::suspend_always initial_suspend() const noexcept { return {}; }
    final_awaiter final_suspend() const noexcept { return {}; }
    void set_continuation(std::coroutine_handle<> c) noexcept { continuation_ = c; }

  private:
    std::coroutine_handle<> continuation_;
};

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

} // namespace detail

template <class T> class [[nodiscard]] task {
  public:
    using promise_type = detail::task_promise<T>;
    using handle_type = std::coroutine_handle<promise_type>;
    using value_type = T;

    /// Awaits the task: starts it, and resumes the awaiter with its value when it ends.
    class awaiter {
      public:
        explicit awaiter(task& t) noexcept : task_(&t) {}
        bool await_ready() const noexcept { return !task_->handle_ || task_->handle_.done(); }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
            task_->handle_.promise().set_continuation(caller);
            return task_->handle_;
        }
        T await_resume() {
            assert(task_->handle_ && "awaiting an empty or cancelled task");
            return task_->handle_.promise().take();
        }
        /// Cancels the task while it waits: its frame, and the operations in it, are destroyed.
        bool cancel() noexcept {
            task_->reset();
            return true;
        }

      private:
        task* task_;
    };

    task() noexcept = default;
    explicit task(handle_type h) noexcept : handle_(h) {}
    task(task&& o) noexcept : handle_(std::exchange(o.handle_, {})) {}
    task& operator=(task&& o) noexcept {
        if (this != &o) {
            reset();
            handle_ = std::exchange(o.handle_, {});
        }
        return *this;
    }
    task(const task&) = delete;
    task& operator=(const task&) = delete;
    ~task() { reset(); }

    awaiter operator co_await() & noexcept { return awaiter(*this); }
    awaiter operator co_await() && noexcept { return awaiter(*this); }

    /// True while the task holds a coroutine (it was not moved from or reset).
    bool valid() const noexcept { return static_cast<bool>(handle_); }
    bool done() const noexcept { return handle_ && handle_.done(); }

    /// Destroys the coroutine frame now, whether or not it has finished.
    void reset() noexcept {
        if (handle_) std::exchange(handle_, {}).destroy();
    }
    /// Gives up ownership of the frame (the caller destroys it).
    handle_type release() noexcept { return std::exchange(handle_, {}); }

  private:
    handle_type handle_;
};

namespace detail {
template <class T> task<T> task_promise<T>::get_return_object() noexcept {
    return task<T>(std::coroutine_handle<task_promise<T>>::from_promise(*this));
}
inline task<void> task_promise<void>::get_return_object() noexcept {
    return task<void>(std::coroutine_handle<task_promise<void>>::from_promise(*this));
}
} // namespace detail

} // namespace eddy
