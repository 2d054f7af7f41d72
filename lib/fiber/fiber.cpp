// The parts of eddy/fiber.hpp that need no template.
#include "eddy/fiber.hpp"

#include "eddy/runtime/detail/misuse.hpp"

#include <stdexcept>
#include <string>

namespace eddy::fiber {

bool in_fiber() noexcept {
    return detail::context::current() != nullptr;
}

namespace detail {

void check_stack_size(std::size_t bytes) {
    constexpr std::size_t smallest = 16 * 1024;
    constexpr std::size_t largest = std::size_t{1} << 30;
    if (bytes < smallest || bytes > largest)
        throw std::invalid_argument("fiber stack size " + std::to_string(bytes) +
                                    " is out of range: from 16 KiB to 1 GiB");
}

void throw_no_such_core(std::size_t core) {
    throw std::invalid_argument("fiber::spawn_on: no core " + std::to_string(core) +
                                " (the runtime has " + std::to_string(core_count()) + ")");
}

context& running(const char* what) noexcept {
    context* c = context::current();
    if (!c) {
        const std::string message =
            std::string(what) + " was called outside a fiber (a coroutine uses co_await)";
        eddy::detail::misuse(message.c_str());
    }
    return *c;
}

} // namespace detail
} // namespace eddy::fiber
