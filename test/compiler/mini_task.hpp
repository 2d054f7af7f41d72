// A minimal lazy coroutine task for the compiler reproducers in this folder: no eddy, no
// scheduler. `run()` resumes the task once and takes its value; every awaiter the
// reproducers use completes at once, so one resume runs the task to its end.
#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

template <class T> struct mini_task {
    struct promise_type {
        std::optional<T> value;
        mini_task get_return_object() {
            return mini_task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() noexcept { return {}; }
        std::suspend_always final_suspend() noexcept { return {}; }
        template <class U> void return_value(U&& v) { value.emplace(std::forward<U>(v)); }
        void unhandled_exception() { std::terminate(); }
    };

    explicit mini_task(std::coroutine_handle<promise_type> h) : handle(h) {}
    mini_task(mini_task&& o) noexcept : handle(std::exchange(o.handle, {})) {}
    ~mini_task() {
        if (handle) handle.destroy();
    }

    // Awaited from another mini_task: runs this one to its end first.
    bool await_ready() { return false; }
    bool await_suspend(std::coroutine_handle<>) {
        handle.resume();
        return false;
    }
    T await_resume() { return std::move(*handle.promise().value); }

    T run() {
        handle.resume();
        return std::move(*handle.promise().value);
    }

    std::coroutine_handle<promise_type> handle;
};

// Counts live objects, so a destructor that runs twice shows as a negative count.
struct counted {
    static inline int alive = 0;
    int id;
    explicit counted(int i) : id(i) { ++alive; }
    counted(const counted& o) : id(o.id) { ++alive; }
    ~counted() { --alive; }
};
