// `readiness_wait`: waits until an fd is readable (or read-closed, or failed) or writable,
// without doing the I/O, so a server can wait without holding a buffer and then call
// `try_read` (Tokio's `readable()`). Cancel-safe.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/io/fd_awaiter.hpp"

#include <coroutine>

namespace eddy::detail {

class readiness_wait : public fd_awaiter {
  public:
    readiness_wait(fd_readiness& f, bool write) noexcept : fd_awaiter(f, write) {}
    readiness_wait(readiness_wait&& o) noexcept = default;

    bool await_ready() noexcept {
        fd->check_core();
        if (stopping()) return true;
        if (!(write_ ? fd->write_ready() : fd->read_ready())) return false;
        return done_at_once();
    }
    void await_suspend(std::coroutine_handle<> h) noexcept { suspend(h); }
    /// Ready, or `operation_canceled` when the runtime stopped or the socket went away.
    result<void> await_resume() const noexcept {
        if (canceled) return errc::operation_canceled;
        return {};
    }
};

} // namespace eddy::detail
