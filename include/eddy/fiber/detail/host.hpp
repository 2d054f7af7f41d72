// The task that runs a fiber: it owns the fiber's function, stack and outcome, switches into
// the fiber, and while the fiber waits, waits in its place on the awaiter the fiber handed
// over. So a fiber is a task to the rest of eddy: spawned, joined, aborted and cancelled the
// same way, and its waits are withdrawn by the same cancellation protocol.
#pragma once

#include "eddy/fiber/detail/context.hpp"
#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/detail/awaitable_traits.hpp"
#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/task.hpp"

#include <coroutine>
#include <cstddef>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

namespace eddy::fiber::detail {

/// Throws `std::invalid_argument` for a stack size eddy does not accept (see `options`).
void check_stack_size(std::size_t bytes);

/// Throws `std::invalid_argument` naming `core`, which the runtime does not have.
[[noreturn]] void throw_no_such_core(std::size_t core);

/// The running fiber; stops the program, naming `what`, outside a fiber.
context& running(const char* what) noexcept;

/// A fiber's function and what it ended with. The context is the last member, so it is
/// destroyed first: an unfinished fiber's stack unwinds while the function still exists. All
/// of it is destroyed on the fiber's core (see `fiber_core`).
template <class F> class body {
  public:
    using value_type = std::invoke_result_t<F&>;

    body(F fn, std::size_t stack_size) : fn_(std::move(fn)), context_(stack_size, &entry, this) {}
    ~body() { core_.enter(); }
    body(const body&) = delete;
    body& operator=(const body&) = delete;

    context& fiber_context() noexcept { return context_; }

    value_type take() {
        if (error_) std::rethrow_exception(error_);
        if constexpr (!std::is_void_v<value_type>) return std::move(*value_);
    }

  private:
    struct nothing {};
    using stored = std::conditional_t<std::is_void_v<value_type>, nothing, value_type>;

    static void entry(void* self) {
        auto& b = *static_cast<body*>(self);
        try {
            if constexpr (std::is_void_v<value_type>)
                b.fn_();
            else
                b.value_.emplace(b.fn_());
        } catch (const unwinding&) {
            // Only the fiber's own unwinding ends it unfinished; an `unwinding` that another
            // fiber's stack threw (caught, and rethrown here) is an exception like any other.
            if (b.context_.being_unwound()) throw;
            b.error_ = std::current_exception();
        } catch (...) {
            b.error_ = std::current_exception();
        }
    }

    fiber_core core_; // first: left last
    F fn_;
    std::optional<stored> value_;
    std::exception_ptr error_;
    context context_;
};

/// The awaiter a fiber waits on, as its host's promise tracks it (`fiber::await`). A
/// cancellation that comes while the fiber runs comes from inside it (its own code, or code
/// its awaiter's `await_suspend` runs, such as a fiber resumed there): it is refused, and
/// retried once the fiber has suspended, as a running task's is.
template <class A> class fiber_wait {
    using stored = decltype(eddy::detail::get_awaiter(std::declval<A>()));

  public:
    fiber_wait(A&& a, context& c)
        : awaiter_(eddy::detail::get_awaiter(std::forward<A>(a))), context_(&c) {}
    fiber_wait(const fiber_wait&) = delete;
    fiber_wait& operator=(const fiber_wait&) = delete;

    decltype(auto) await_ready() { return awaiter_.await_ready(); }
    template <class P> decltype(auto) await_suspend(std::coroutine_handle<P> host) {
        return awaiter_.await_suspend(host);
    }
    decltype(auto) await_resume() { return awaiter_.await_resume(); }
    bool cancel(eddy::detail::cancel_request& r) noexcept {
        return !context_->running() && eddy::detail::cancel_awaiter(awaiter_, r);
    }

  private:
    stored awaiter_; // the awaiter itself, or a reference to the caller's
    context* context_;
};

/// Suspends the fiber `self` on `a` (`await_ready` said no) until its operation completes.
template <class Awaiter> void suspend_on(context& self, Awaiter& a) {
    self.begin_wait();
    std::coroutine_handle<> next;
    try {
        next = eddy::detail::suspend_into(a, self.host());
    } catch (...) {
        self.abandon_wait();
        throw;
    }
    self.end_wait(next);
}

/// What the host task awaits: one stretch of the fiber, up to its next wait or its end.
class step {
  public:
    explicit step(context& c) noexcept : context_(&c) {}
    bool await_ready() const noexcept { return false; }
    template <class P> std::coroutine_handle<> await_suspend(std::coroutine_handle<P> host) {
        return context_->run(host, host.promise());
    }
    /// True while the fiber has more to run.
    bool await_resume() const noexcept { return !context_->finished(); }
    /// The task waits on this only while the fiber runs (between two of its waits): a
    /// cancellation then comes from inside the fiber, and is tried again at its next wait.
    bool cancel(eddy::detail::cancel_request&) noexcept { return false; }

  private:
    context* context_;
};

/// No hop: the fiber runs where it was spawned.
inline constexpr std::size_t this_core = static_cast<std::size_t>(-1);

template <class F>
task<std::invoke_result_t<F&>> run_fiber(F fn, std::size_t stack_size, std::size_t core) {
    if (core != this_core) co_await eddy::on(core);
    body<F> fiber(std::move(fn), stack_size);
    // The step's result is named before it is tested: g++ 12 can skip a coroutine's body
    // for a co_await in a loop's condition (docs/compiler-notes.md, section 5).
    for (;;) {
        const bool more = co_await step(fiber.fiber_context());
        if (!more) break;
    }
    co_return fiber.take();
}

} // namespace eddy::fiber::detail
