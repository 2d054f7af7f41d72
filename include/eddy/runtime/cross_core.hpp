// Moving work between cores. Each core owns its tasks and sockets; work crosses cores only
// as a message through the receiving core's inbox.
//
//     co_await eddy::on(1);                       // this coroutine continues on core 1
//     int n = co_await eddy::submit_to(1, [] { return count_local_sessions(); });
//     eddy::spawn_on(1, serve_stats());           // a detached task on core 1
//
// A coroutine that hopped is not cancel-safe while in flight: do not abort or time out a
// task while it is between cores.
#pragma once

#include "eddy/runtime/detail/inbox.hpp"
#include "eddy/runtime/detail/runtime_core.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"

#include <cassert>
#include <concepts>
#include <exception>
#include <type_traits>
#include <variant>

namespace eddy {

namespace detail {

template <class T> struct is_task : std::false_type {};
template <class T> struct is_task<task<T>> : std::true_type {};

class hop_awaiter final : public inbox_message {
  public:
    explicit hop_awaiter(std::size_t core) noexcept : core_(core) {}
    hop_awaiter(const hop_awaiter&) = delete;
    hop_awaiter& operator=(const hop_awaiter&) = delete;

    bool await_ready() const noexcept { return current_scheduler().index() == core_; }
    void await_suspend(std::coroutine_handle<> h) noexcept {
        auto& rt = current_scheduler().runtime();
        assert(core_ < rt.size() && "on(core): no such core");
        node_.handle = h;
        rt.core(core_).post(*this);
    }
    void await_resume() const noexcept {}

    void deliver(scheduler& receiver) override { receiver.schedule(node_); }
    void discard() noexcept override {}

  private:
    std::size_t core_;
    ready_node node_;
};

template <class R> struct task_value { using type = R; };
template <class T> struct task_value<task<T>> { using type = T; };
/// What `submit_to(core, f)` gives: f's result, or the value of the task f returns.
template <class F> using submit_value_t = typename task_value<std::invoke_result_t<F&>>::type;

template <class F> task<submit_value_t<F>> invoke_as_task(F& f) {
    if constexpr (is_task<std::invoke_result_t<F&>>::value)
        co_return co_await f();
    else
        co_return f();
}

/// A task's value or exception, held so it can be carried to another core first.
template <class T> class captured {
  public:
    using stored = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
    std::variant<std::monostate, stored, std::exception_ptr> outcome;
    T get() {
        if (outcome.index() == 2) std::rethrow_exception(std::get<2>(outcome));
        if constexpr (!std::is_void_v<T>) return std::move(std::get<1>(outcome));
    }
};

template <class T> task<captured<T>> capture(task<T> t) {
    captured<T> c;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(t);
            c.outcome.template emplace<1>();
        } else {
            c.outcome.template emplace<1>(co_await std::move(t));
        }
    } catch (...) {
        c.outcome.template emplace<2>(std::current_exception());
    }
    co_return c;
}

} // namespace detail

/// Number of cores of the runtime the caller runs on.
inline std::size_t core_count() noexcept {
    return detail::current_scheduler().runtime().size();
}
/// Index of the core the caller runs on (0 is the thread that called block_on).
inline std::size_t current_core() noexcept {
    return detail::current_scheduler().index();
}

/// Continues the awaiting coroutine on `core`; completes at once if it is already there.
inline detail::hop_awaiter on(std::size_t core) noexcept {
    return detail::hop_awaiter(core);
}

/// Starts `t` on `core`, detached. The task is created here and first runs there.
template <class T> void spawn_on(std::size_t core, task<T> t) {
    auto& rt = detail::current_scheduler().runtime();
    assert(core < rt.size() && "spawn_on: no such core");
    detail::post_spawn(rt.core(core), [t = std::move(t)]() mutable { return std::move(t); });
}

/// Runs `f` on `core` and brings its result (or exception) back to the calling core. If `f`
/// returns a task, that task runs to completion on `core` first.
template <class F>
    requires std::invocable<F&>
auto submit_to(std::size_t core, F f) -> task<detail::submit_value_t<F>> {
    const std::size_t home = current_core();
    co_await on(core);
    auto outcome = co_await detail::capture(detail::invoke_as_task(f));
    co_await on(home);
    co_return outcome.get();
}

} // namespace eddy
