// Moving work between cores. Each core owns its tasks and sockets; work crosses cores only
// as a message through the receiving core's inbox.
//
//     co_await eddy::on(1);                       // this coroutine continues on core 1
//     int n = co_await eddy::submit_to(1, [] { return count_local_sessions(); });
//     eddy::spawn_on(1, serve_stats());           // a detached task on core 1
//
// A task may end on any core: whoever awaits it (or joins it) is resumed on its own core.
//
// Cancelling a task that is away from its home core (`timeout` or `join_handle::abort` on
// home) is safe and never touches it from the wrong thread: it takes effect when the task
// comes back home (by a hop or by ending). A hop that is in flight when the cancellation
// comes returns home on landing, and the task ends there with `operation_canceled` (a
// timeout gives `timed_out`). A task that keeps running on another core is not
// interrupted there: the cancellation waits for it.
#pragma once

#include "eddy/runtime/detail/captured.hpp"
#include "eddy/runtime/detail/inbox.hpp"
#include "eddy/runtime/detail/runtime_core.hpp"
#include "eddy/runtime/detail/task_promise_base.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"

#include <cassert>
#include <concepts>
#include <cstdint>
#include <type_traits>

namespace eddy {

namespace detail {

template <class T> struct is_task : std::false_type {};
template <class T> struct is_task<task<T>> : std::true_type {};

/// The awaiter of `on(core)`: the coroutine travels as a message in the target's inbox.
class hop_awaiter final : public inbox_message {
  public:
    explicit hop_awaiter(std::size_t core) noexcept : core_(core) {}
    hop_awaiter(const hop_awaiter&) = delete;
    hop_awaiter& operator=(const hop_awaiter&) = delete;

    bool await_ready() const noexcept { return current_scheduler().index() == core_; }
    template <class Promise> void await_suspend(std::coroutine_handle<Promise> h) noexcept {
        scheduler& here = current_scheduler();
        assert(core_ < here.runtime().size() && "on(core): no such core");
        target_ = &here.runtime().core(core_);
        node_.handle = h;
        if constexpr (std::is_base_of_v<task_promise_base, Promise>) {
            task_ = &h.promise();
            task_->leave(here);
        }
        target_->post(*this);
    }
    void await_resume() const noexcept {}

    /// Called on the task's home core, only while the task is there (not away): a hop that
    /// came back to be cancelled gives way; one that landed here is queued to run.
    bool cancel(cancel_request& r) noexcept { return state_ == state::parked || r.force; }

    void deliver(scheduler& receiver) override;
    void discard() noexcept override {}

  private:
    enum class state : std::uint8_t { flying, returning, parked, landed };

    std::size_t core_;
    scheduler* target_ = nullptr;
    task_promise_base* task_ = nullptr; // null when the hopping coroutine is not a task
    state state_ = state::flying;
    ready_node node_;
};

inline void hop_awaiter::deliver(scheduler& receiver) {
    if (!task_) {
        receiver.schedule(node_);
        return;
    }
    const bool at_home = &receiver == &task_->home();
    if (!at_home && state_ == state::flying && task_->cancel_wanted()) {
        // Cancelled in flight: go back to be cancelled at home rather than run on here.
        state_ = state::returning;
        task_->home().post(*this);
        return;
    }
    if (at_home && task_->came_home()) {
        state_ = state::parked; // the cancellations retry next turn and find it here
        return;
    }
    if (state_ == state::returning) {
        // The cancellation was withdrawn while we came back: carry on to the target.
        state_ = state::flying;
        task_->leave(receiver);
        target_->post(*this);
        return;
    }
    state_ = state::landed;
    receiver.schedule(node_);
}

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
/// `core` must be below `core_count()` (asserted). Cancelling a task that hops is safe: see
/// the top.
inline detail::hop_awaiter on(std::size_t core) noexcept {
    return detail::hop_awaiter(core);
}

/// Starts `t` on `core`, detached. The task is created here and first runs there; a core that
/// is stopping when the message lands drops it unstarted. `core` must be below
/// `core_count()` (asserted).
template <class T> void spawn_on(std::size_t core, task<T> t) {
    auto& rt = detail::current_scheduler().runtime();
    assert(core < rt.size() && "spawn_on: no such core");
    detail::post_spawn(rt.core(core), [t = std::move(t)]() mutable { return std::move(t); });
}

/// Runs `f` on `core` and brings its result (or exception) back to the calling core. If `f`
/// returns a task, that task runs to completion on `core` first. Cancelled (under `timeout`,
/// or an abort), it ends once it is back home: `f` is not interrupted on `core` (a
/// cancellation that catches the hop in flight keeps `f` from starting).
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
