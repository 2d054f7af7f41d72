// An owned, non-blocking fd registered with the calling core's reactor. Closing it
// deregisters first, and wakes any operation still parked on it with operation_canceled.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/io/fd_readiness.hpp"

#include <cassert>
#include <memory>

namespace eddy::net::detail {

class socket_handle {
  public:
    socket_handle() noexcept = default;
    socket_handle(socket_handle&&) noexcept = default;
    socket_handle& operator=(socket_handle&& o) noexcept {
        if (this != &o) {
            close();
            readiness_ = std::move(o.readiness_);
        }
        return *this;
    }
    ~socket_handle() { close(); }

    /// Takes ownership of a non-blocking `fd` eddy has just made (socket, accept4,
    /// signalfd...) and registers it on the calling core; closes the fd if that fails.
    static result<socket_handle> adopt(int fd);
    /// Registers `fd` on the calling core and owns it from then on; on failure the fd is
    /// left open, the caller's (it may be another socket's: EEXIST). For fds a user gives.
    static result<socket_handle> try_adopt(int fd);

    bool valid() const noexcept { return readiness_ != nullptr; }
    int fd() const noexcept { return readiness_ ? readiness_->fd() : -1; }
    eddy::detail::fd_readiness& readiness() const noexcept {
        assert(readiness_ && "using a closed or moved-from socket");
        return *readiness_;
    }

    void close() noexcept;
    /// Deregisters the fd and gives it to the caller, who closes it (to move a socket to
    /// another core: release here, `adopt` there). -1 if there is none.
    int release() noexcept;

  private:
    std::unique_ptr<eddy::detail::fd_readiness> readiness_;
};

} // namespace eddy::net::detail
