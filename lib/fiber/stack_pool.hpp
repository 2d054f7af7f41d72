// Fiber stacks: Boost.Context's protected_fixedsize_stack (a guard page below each stack),
// recycled through a pool per thread, that is per core. The pool keeps at most
// `pooled_stacks_max` stacks; more are unmapped when they come back.
#pragma once

#include <boost/context/stack_context.hpp>

#include <cstddef>

namespace eddy::fiber::detail {

inline constexpr std::size_t pooled_stacks_max = 64;

/// A stack with at least `usable` bytes above its guard page, from this thread's pool if it
/// has one of that size. Throws `std::system_error` when none can be mapped.
boost::context::stack_context take_stack(std::size_t usable);

/// Returns a stack to this thread's pool, or unmaps it when the pool is full.
void give_back_stack(const boost::context::stack_context& stack) noexcept;

/// What Boost.Context's fiber record calls to free the stack it was given.
struct pooled_stack {
    void deallocate(boost::context::stack_context& stack) noexcept { give_back_stack(stack); }
};

/// The size of a page (the guard page's).
std::size_t page_size() noexcept;

} // namespace eddy::fiber::detail
