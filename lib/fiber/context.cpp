// The stack switches of a fiber, on Boost.Context's `fiber` (fcontext: a few instructions,
// no system call). Each switch is bracketed by the sanitizer calls of sanitizers.hpp: the
// side that leaves names the stack it goes to, the side that arrives records the stack it
// came from, so a fiber may be entered from any stack (a coroutine's thread, or another
// fiber's, when a wake-up runs there) and returns to that one.
#include "eddy/fiber/detail/context.hpp"

#include "eddy/runtime/detail/misuse.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "sanitizers.hpp"
#include "stack_pool.hpp"

#include <boost/context/fiber.hpp>

#include <memory>
#include <new>
#include <utility>

namespace eddy::fiber::detail {

namespace bc = boost::context;
static_assert(sizeof(bc::fiber) == sizeof(void*) && alignof(bc::fiber) <= alignof(void*));

namespace {
thread_local context* running_here = nullptr;
} // namespace

struct context::access {
    static bc::fiber& fiber(context& c) noexcept {
        return *std::launder(reinterpret_cast<bc::fiber*>(c.fiber_));
    }
    static bc::fiber& caller(context& c) noexcept {
        return *std::launder(reinterpret_cast<bc::fiber*>(c.caller_));
    }

    // The fiber's first frame, on its own stack.
    static bc::fiber body(context& c, bc::fiber&& from) {
        caller(c) = std::move(from);
        asan_finish_switch(nullptr, &c.from_bottom_, &c.from_size_);
        if (!c.unwinding_) {
            try {
                c.entry_(c.arg_);
            } catch (const unwinding&) {
                // The stack is unwound: the fiber is destroyed.
            }
        }
        c.finished_ = true;
        // Leaving for good: AddressSanitizer may drop this stack's fake frames.
        asan_start_switch(nullptr, c.from_bottom_, c.from_size_);
        tsan_switch_to(c.tsan_caller_);
        return std::move(caller(c));
    }
};

fiber_core::fiber_core() noexcept : core_(eddy::detail::current_scheduler_or_null()) {}

fiber_core::~fiber_core() {
    if (entered_) eddy::detail::set_current_scheduler(before_);
}

void fiber_core::enter() noexcept {
    before_ = eddy::detail::current_scheduler_or_null();
    entered_ = true;
    eddy::detail::set_current_scheduler(core_);
}

context::context(std::size_t stack_size, entry_fn entry, void* arg) : entry_(entry), arg_(arg) {
    const bc::stack_context stack = take_stack(stack_size);
    const std::size_t guard = page_size();
    stack_bottom_ = static_cast<char*>(stack.sp) - stack.size + guard;
    stack_size_ = stack.size - guard;
    new (fiber_) bc::fiber();
    new (caller_) bc::fiber();
    tsan_fiber_ = tsan_create_fiber();
}

// Boost.Context enters the fiber's first frame as the fiber is made, and jumps straight back.
// So it is made at the first switch in, after the switch is announced to the sanitizers:
// made anywhere else, that frame would be taken for one of the calling stack's, and put in
// its thread's fake stack under AddressSanitizer, which goes with the thread (a fiber may
// be unwound on another thread, at runtime teardown).
void context::start() {
    bc::stack_context stack;
    stack.size = stack_size_ + page_size();
    stack.sp = static_cast<char*>(stack_bottom_) + stack_size_;
    // Placed on the stack given (Boost.Context keeps its record at the top of it); the
    // stack goes back to the pool when the fiber ends.
    access::fiber(*this) =
        bc::fiber(std::allocator_arg, bc::preallocated(stack.sp, stack.size, stack), pooled_stack{},
                  [this](bc::fiber&& from) { return access::body(*this, std::move(from)); });
    started_ = true;
}

context::~context() {
    if (running_)
        eddy::detail::misuse("a fiber's task was destroyed while the fiber runs (abort a "
                             "fiber's handle from another task)");
    if (!finished_) {
        // Started or not, the fiber runs once more to its end, unwinding what is on its stack.
        unwinding_ = true;
        switch_in();
    }
    access::fiber(*this).~fiber();
    access::caller(*this).~fiber();
}

context* context::current() noexcept {
    return running_here;
}

std::coroutine_handle<> context::run(std::coroutine_handle<> host,
                                     eddy::detail::task_promise_base& p) {
    if (running_) {
        // The operation completed inside its await_suspend, on the fiber's stack (or on the
        // stack of a fiber entered from there): the fiber goes on when await_suspend returns.
        if (!suspending_)
            eddy::detail::misuse("a fiber's task was resumed while the fiber runs, not waiting "
                                 "(an awaiter resumed it twice)");
        resumed_early_ = true;
        return std::noop_coroutine();
    }
    host_ = host;
    promise_ = &p;
    next_ = nullptr;
    switch_in();
    return finished_ ? host : next_;
}

void context::switch_in() {
    running_ = true;
    outer_ = running_here;
    running_here = this;
    void* fake_stack = nullptr;
    asan_start_switch(&fake_stack, stack_bottom_, stack_size_);
    tsan_caller_ = tsan_current_fiber();
    tsan_switch_to(tsan_fiber_);
    if (!started_) start();
    access::fiber(*this) = std::move(access::fiber(*this)).resume();
    asan_finish_switch(fake_stack, nullptr, nullptr);
    running_ = false;
    running_here = outer_;
    if (finished_) tsan_destroy_fiber(std::exchange(tsan_fiber_, nullptr));
}

void context::begin_wait() noexcept {
    suspending_ = true;
    resumed_early_ = false;
    // What await_suspend runs here (a coroutine it starts, a fiber it resumes) is not this
    // fiber: it cannot wait with fiber::await, which would suspend this fiber in its place.
    running_here = nullptr;
}

void context::end_wait(std::coroutine_handle<> next) {
    suspending_ = false;
    const bool resumed = std::exchange(resumed_early_, false);
    if (next == host_) next = nullptr; // "do not suspend"
    if (resumed) {
        // Already resumed: no going back, but the coroutine await_suspend handed over runs.
        if (next) next.resume();
        running_here = this;
        return;
    }
    running_here = this;
    if (next) suspend(next);
}

void context::abandon_wait() noexcept {
    suspending_ = false;
    resumed_early_ = false;
    running_here = this;
}

void context::suspend(std::coroutine_handle<> next) {
    next_ = next;
    asan_start_switch(&fake_stack_, from_bottom_, from_size_);
    tsan_switch_to(tsan_caller_);
    access::caller(*this) = std::move(access::caller(*this)).resume();
    asan_finish_switch(fake_stack_, &from_bottom_, &from_size_);
    check_unwinding();
}

} // namespace eddy::fiber::detail
