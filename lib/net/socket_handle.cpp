#include "eddy/net/detail/socket_handle.hpp"

#include "eddy/runtime/detail/scheduler.hpp"

#include <sys/socket.h>
#include <unistd.h>

namespace eddy::net::detail {

result<socket_handle> socket_handle::adopt(int fd) {
    auto handle = try_adopt(fd);
    if (!handle) ::close(fd);
    return handle;
}

result<socket_handle> socket_handle::try_adopt(int fd) {
    auto& sched = eddy::detail::current_scheduler();
    auto state = std::make_unique<eddy::detail::io_state>(sched, fd);
    if (auto added = sched.io().add(*state); !added) return std::move(added).error();
    sched.add_io(*state);
    socket_handle h;
    h.state_ = std::move(state);
    return h;
}

void socket_handle::close() noexcept {
    if (!state_) return;
    // Closing unregisters from the owner's reactor and socket list: on its core only (a
    // task that ends on another core must not take its home's sockets with it).
    state_->check_core();
    state_->owner().io().remove(*state_);
    ::close(state_->fd());
    state_.reset(); // wakes a waiter still parked with operation_canceled
}

int socket_handle::release() noexcept {
    if (!state_) return -1;
    state_->check_core();
    state_->owner().io().remove(*state_);
    const int fd = state_->fd();
    state_.reset();
    return fd;
}

} // namespace eddy::net::detail
