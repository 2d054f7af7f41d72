#include "eddy/runtime/detail/core_mailbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace eddy::detail {

core_mailbox::core_mailbox(std::size_t index)
    : wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), index_(index) {
    if (!wake_fd_.valid()) throw std::system_error(errno, std::system_category(), "eventfd");
}

void core_mailbox::wake() noexcept {
    const std::uint64_t one = 1;
    // EAGAIN means the counter is already non-zero: the core is woken anyway.
    [[maybe_unused]] auto n = ::write(wake_fd_.get(), &one, sizeof one);
}

} // namespace eddy::detail
