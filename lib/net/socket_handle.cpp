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
    auto readiness = std::make_unique<eddy::detail::fd_readiness>(sched, fd);
    if (auto added = sched.reactor().add(*readiness); !added) return std::move(added).error();
    sched.add_fd(*readiness);
    socket_handle h;
    h.readiness_ = std::move(readiness);
    return h;
}

void socket_handle::close() noexcept {
    if (!readiness_) return;
    // Closing unregisters from the owner's reactor and socket list: on its core only (a
    // task that ends on another core must not take its home's sockets with it). A socket
    // kept past its runtime has neither any more.
    if (!readiness_->orphaned()) {
        readiness_->check_core();
        readiness_->owner().reactor().remove(*readiness_);
    }
    ::close(readiness_->fd());
    readiness_.reset(); // wakes a waiter still parked with operation_canceled
}

int socket_handle::release() noexcept {
    if (!readiness_) return -1;
    if (!readiness_->orphaned()) {
        readiness_->check_core();
        readiness_->owner().reactor().remove(*readiness_);
    }
    const int fd = readiness_->fd();
    readiness_.reset();
    return fd;
}

} // namespace eddy::net::detail
