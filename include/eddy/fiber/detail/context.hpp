// One fiber's stack and the switches into and out of it (the Boost.Context part lives in
// lib/fiber/context.cpp, so this header names no Boost type).
//
// The host side (a task on the fiber's core, see host.hpp) calls `run`: the fiber runs until
// it suspends on an awaiter or ends. The fiber side brackets the awaiter's `await_suspend`
// with `begin_wait` and `end_wait`, which goes back to the host, and the host returns from
// `run`. Every switch is annotated for AddressSanitizer and ThreadSanitizer in builds that
// have them, so both follow the stacks.
//
// An awaiter may complete inside its own `await_suspend` and resume the host there (a
// completion run at once, as callback APIs and some events do). The fiber is still on its
// stack then: `run` does not switch, and `end_wait` returns at once instead of going back.
//
// Destroying a context whose fiber has not ended unwinds its stack first: the fiber is
// switched in once more, and its pending `suspend` throws `fiber::unwinding`, which runs
// the destructors of everything on that stack.
#pragma once

#include "eddy/fiber/unwinding.hpp"

#include <coroutine>
#include <cstddef>

namespace eddy {
namespace detail {
class scheduler;
class task_promise_base;
} // namespace detail

namespace fiber::detail {

/// The core a fiber runs on, made the thread's current core while the fiber is destroyed:
/// its owner calls `enter` in its destructor, and this, the owner's first member, is left
/// once the others are gone. At runtime teardown each task is destroyed from the core that
/// spawned it, which for a fiber started with `spawn_on` is not the fiber's own; what the
/// fiber's stack and function hold belongs to the fiber's core, and is checked to be used
/// there.
class fiber_core {
  public:
    fiber_core() noexcept; // the calling thread's current core
    ~fiber_core();
    fiber_core(const fiber_core&) = delete;
    fiber_core& operator=(const fiber_core&) = delete;
    void enter() noexcept;

  private:
    eddy::detail::scheduler* core_;
    eddy::detail::scheduler* before_ = nullptr;
    bool entered_ = false;
};

class context {
  public:
    using entry_fn = void (*)(void* arg);

    /// A fiber that will run `entry(arg)` on a stack of `stack_size` bytes (taken from this
    /// core's pool). It starts at the first `run`. Throws `std::system_error` when no stack
    /// can be mapped.
    context(std::size_t stack_size, entry_fn entry, void* arg);
    ~context();
    context(const context&) = delete;
    context& operator=(const context&) = delete;

    // --- host side ---
    /// Switches into the fiber until it suspends or ends; returns the coroutine the host
    /// continues with: `host` itself when the fiber has ended, else what the awaiter it
    /// suspended on handed over (or a no-op coroutine). Called while the fiber runs (its
    /// awaiter resumed the host from inside `await_suspend`), it lets the fiber go on and
    /// returns a no-op coroutine: the host waits for the fiber's next wait.
    std::coroutine_handle<> run(std::coroutine_handle<> host, eddy::detail::task_promise_base& p);
    bool finished() const noexcept { return finished_; }
    /// True while the fiber runs: switched in, and not yet back (another fiber entered from
    /// its stack may run on top of it).
    bool running() const noexcept { return running_; }

    // --- fiber side ---
    /// The fiber running on this thread, or null outside fibers (and inside the
    /// `await_suspend` of the awaiter a fiber waits on, which is not the fiber's code).
    static context* current() noexcept;
    /// Before calling the awaiter's `await_suspend`.
    void begin_wait() noexcept;
    /// After `await_suspend` handed over `next` (null: it did not suspend): back to the host,
    /// which continues with `next`, until the host runs the fiber again; at once when the
    /// host was resumed already. Throws `unwinding` if the fiber is destroyed instead.
    void end_wait(std::coroutine_handle<> next);
    /// After `await_suspend` threw: the fiber goes on with the exception.
    void abandon_wait() noexcept;
    /// Throws `unwinding` if the fiber's stack is being unwound.
    void check_unwinding() const {
        if (unwinding_) throw unwinding{};
    }
    bool being_unwound() const noexcept { return unwinding_; }
    std::coroutine_handle<> host() const noexcept { return host_; }
    eddy::detail::task_promise_base& host_promise() const noexcept { return *promise_; }

  private:
    struct access; // the code in lib/ that switches stacks
    void start();
    void switch_in();
    void suspend(std::coroutine_handle<> next);

    // The Boost.Context continuations (each one pointer): of the fiber while it is
    // suspended, of the host while the fiber runs.
    alignas(void*) unsigned char fiber_[sizeof(void*)];
    alignas(void*) unsigned char caller_[sizeof(void*)];
    entry_fn entry_;
    void* arg_;
    std::coroutine_handle<> host_;
    std::coroutine_handle<> next_;
    eddy::detail::task_promise_base* promise_ = nullptr;
    context* outer_ = nullptr; // the fiber that ran on this thread before this one
    // The fiber's stack (without its guard page) and the stack it was entered from.
    void* stack_bottom_ = nullptr;
    std::size_t stack_size_ = 0;
    const void* from_bottom_ = nullptr;
    std::size_t from_size_ = 0;
    void* fake_stack_ = nullptr; // AddressSanitizer's, while the fiber is switched out
    void* tsan_fiber_ = nullptr; // ThreadSanitizer's view of this fiber and of its host
    void* tsan_caller_ = nullptr;
    bool started_ = false; // the Boost.Context fiber is made (at the first switch in)
    bool finished_ = false;
    bool unwinding_ = false;
    bool running_ = false;
    bool suspending_ = false;    // inside the awaiter's await_suspend
    bool resumed_early_ = false; // and the host was resumed there
};

} // namespace fiber::detail
} // namespace eddy
