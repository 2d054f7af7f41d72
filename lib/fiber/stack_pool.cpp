#include "stack_pool.hpp"

#include "sanitizers.hpp"

#include <boost/context/protected_fixedsize_stack.hpp>

#include <unistd.h>

#include <system_error>
#include <vector>

namespace eddy::fiber::detail {

namespace {

using boost::context::stack_context;

// The mapping protected_fixedsize_stack makes for `usable` bytes: whole pages and the guard.
std::size_t mapped_size(std::size_t usable) noexcept {
    const std::size_t page = page_size();
    return ((usable + page - 1) / page + 1) * page;
}

stack_context map_stack(std::size_t usable) {
    try {
        return boost::context::protected_fixedsize_stack(usable).allocate();
    } catch (const std::bad_alloc&) {
        throw std::system_error(errno ? errno : ENOMEM, std::generic_category(),
                                "cannot map a fiber stack");
    }
}

void unmap_stack(stack_context s) noexcept {
    boost::context::protected_fixedsize_stack(s.size).deallocate(s);
}

// Set when this thread's pool is destroyed, at thread exit. A fiber can end after that: one
// whose runtime has thread or static storage duration, torn down after the pool. Its stack
// is then unmapped at once. (Trivial, so it is never destroyed itself.)
thread_local bool pool_gone = false;

class stack_pool {
  public:
    stack_pool() = default;
    stack_pool(const stack_pool&) = delete;
    stack_pool& operator=(const stack_pool&) = delete;
    ~stack_pool() {
        pool_gone = true;
        for (auto& s : free_)
            unmap_stack(s);
    }

    stack_context take(std::size_t usable) {
        const std::size_t mapped = mapped_size(usable);
        for (auto it = free_.rbegin(); it != free_.rend(); ++it) {
            if (it->size != mapped) continue;
            stack_context s = *it;
            free_.erase(std::next(it).base());
            return s;
        }
        return map_stack(usable);
    }

    void give_back(const stack_context& s) noexcept {
        if (free_.size() < pooled_stacks_max) {
            try {
                free_.push_back(s);
                return;
            } catch (...) {
            }
        }
        unmap_stack(s);
    }

  private:
    std::vector<stack_context> free_;
};

stack_pool& this_thread_pool() {
    thread_local stack_pool pool;
    return pool;
}

} // namespace

std::size_t page_size() noexcept {
    static const std::size_t size = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return size;
}

stack_context take_stack(std::size_t usable) {
    if (pool_gone) return map_stack(usable);
    return this_thread_pool().take(usable);
}

void give_back_stack(const stack_context& stack) noexcept {
    // What the fiber left poisoned (the frames it never returned from, those an unwinding
    // skipped) is forgotten, whether the stack is used again or unmapped: AddressSanitizer
    // keeps the poison of unmapped memory, and would report it where the next mapping is.
    unpoison_stack(static_cast<char*>(stack.sp) - stack.size, stack.size);
    if (pool_gone)
        unmap_stack(stack);
    else
        this_thread_pool().give_back(stack);
}

} // namespace eddy::fiber::detail
