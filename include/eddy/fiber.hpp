// Stackful fibers: plain, blocking-style functions that use eddy's sockets, timers and
// channels from their own stack, on a core's scheduler, next to its coroutines. Deep call
// stacks, recursive parsers and callback-style code can wait without every function on the
// way becoming a coroutine.
//
//     auto h = eddy::fiber::spawn([s = std::move(stream)]() mutable {
//         std::array<std::byte, 4096> buf;
//         for (;;) {
//             auto n = eddy::fiber::await(s.read(buf));          // suspends this fiber only
//             if (!n || *n == 0) break;
//             if (!eddy::fiber::await(eddy::io::write_all(s, std::span(buf).first(*n)))) break;
//         }
//     });
//     co_await h;                                                // from a coroutine
//
// `fiber::await(x)` takes anything `co_await` takes (socket operations, sleeps, `timeout`,
// channels, tasks) and returns what `co_await x` would. The fiber is a task underneath: its
// join handle is awaited (the value, or the exception the function threw, rethrown),
// aborted, or put under `timeout` like any task's, and its waits are cancelled the same way.
//
// A fiber stays on the core it started on: `eddy::on` cannot be awaited in it, and
// `spawn_on` starts one on another core. Each fiber has its own stack (`options`), mapped
// with a guard page below it, so an overflow stops the program with SIGSEGV rather than
// corrupting memory; stacks are recycled per core. When a fiber's task is destroyed while
// it waits (its handle aborted, or the runtime torn down), its stack is unwound: the wait
// throws `fiber::unwinding`, so destructors run. A `catch (...)` in a fiber must rethrow it.
// As with coroutines, do not wait inside a destructor or a `catch` block.
//
// Built when the meson feature `fibers` is on (the default where Boost.Context is found);
// `EDDY_HAS_FIBERS` in eddy/config.hpp says whether it is.
#pragma once

#include "eddy/fiber/detail/host.hpp"
#include "eddy/fiber/unwinding.hpp"
#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/detail/awaitable_traits.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/yield_now.hpp"
#include "eddy/time/sleep.hpp"

#include <chrono>
#include <concepts>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace eddy::fiber {

/// How a fiber is made.
struct options {
    /// Usable stack, in bytes (rounded up to whole pages); from 16 KiB to 1 GiB. Sanitizer
    /// builds use several times more stack per call than optimised ones.
    std::size_t stack_size = 64 * 1024;
};

/// True when the caller runs inside a fiber (not in the `await_suspend` of an awaiter a fiber
/// waits on, nor in a coroutine that it starts: they use `co_await`).
bool in_fiber() noexcept;

namespace detail {
template <class F> using fiber_value_t = std::invoke_result_t<F&>;

template <class F> void check_function() {
    using T = fiber_value_t<F>;
    static_assert(std::is_void_v<T> || (std::is_object_v<T> && std::is_move_constructible_v<T>),
                  "a fiber's function returns void or a movable value");
    static_assert(!eddy::detail::is_task<T>::value,
                  "a fiber's function returns a task: spawn coroutines with eddy::spawn");
}
} // namespace detail

/// Starts `fn()` in a fiber on the calling core, concurrently with the caller; the handle
/// gives its value (or `operation_canceled` if it was aborted or the runtime stopped) and
/// rethrows its exception, or `std::system_error` when no stack could be mapped for it.
/// Throws `std::invalid_argument` for a bad stack size.
template <class F>
    requires std::invocable<F&> join_handle<detail::fiber_value_t<F>> spawn(F fn,
                                                                            options opts = {}) {
        detail::check_function<F>();
        detail::check_stack_size(opts.stack_size);
        return eddy::spawn(detail::run_fiber(std::move(fn), opts.stack_size, detail::this_core));
    }

/// Starts `fn()` in a fiber on `core` (`fn` is moved there); the handle belongs to the
/// calling core. An abort takes effect when the fiber's task comes back, that is when it
/// ends (see cross_core.hpp). Throws `std::invalid_argument` for a core that does not exist
/// or a bad stack size.
template <class F>
    requires std::invocable<F&> join_handle<detail::fiber_value_t<F>>
    spawn_on(std::size_t core, F fn, options opts = {}) {
        detail::check_function<F>();
        detail::check_stack_size(opts.stack_size);
        if (core >= core_count()) detail::throw_no_such_core(core);
        return eddy::spawn(detail::run_fiber(std::move(fn), opts.stack_size, core));
    }

/// Inside a fiber: suspends the fiber (not the thread) until `awaitable` completes, and
/// returns what `co_await awaitable` gives (its errors are the awaitable's). Cancel-safe as
/// far as the awaitable is: when the fiber is destroyed while it waits, the wait is
/// withdrawn as a coroutine's would be, and this throws `fiber::unwinding`. Outside a fiber
/// it stops the program with a message.
template <class A> decltype(auto) await(A&& awaitable) {
    static_assert(!std::is_same_v<eddy::detail::awaiter_t<A>, eddy::detail::hop_awaiter>,
                  "a fiber stays on its core: start it there with fiber::spawn_on");
    detail::context& self = detail::running("fiber::await");
    self.check_unwinding();
    detail::fiber_wait<A> wait(std::forward<A>(awaitable), self);
    auto tracked = self.host_promise().await_transform(wait);
    if (!tracked.await_ready()) detail::suspend_on(self, tracked);
    return tracked.await_resume();
}

/// Inside a fiber: lets the core's other ready tasks and fibers run, then continues.
/// Cancel-safe.
inline void yield() {
    fiber::await(eddy::yield_now());
}

/// Inside a fiber: sleeps for `d`; `operation_canceled` when the runtime is stopping.
/// Cancel-safe.
template <class Rep, class Period> result<void> sleep_for(std::chrono::duration<Rep, Period> d) {
    return fiber::await(eddy::sleep_for(d));
}

} // namespace eddy::fiber
