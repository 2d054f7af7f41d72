// `fd_operation<Call>`: a socket operation (recv, send, recvfrom...) as an awaiter.
//
// It tries its syscall at once (`await_ready`): data ready means no suspension. On EAGAIN it
// forgets the readiness it observed and parks in the fd's readiness; the reactor retries the
// syscall on the next edge and queues the coroutine only when it has a result. A direction
// known drained (an EAGAIN or a short transfer, and no event since) parks at once: the
// syscall could only say EAGAIN, and the hand-written epoll loop does not make it either.
// Cancel-safe: destroying or cancelling it while parked unparks it, and an operation cancelled
// before it ran has transferred no data.
#pragma once

#include "eddy/detail/retry_on_eintr.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/detail/io/fd_awaiter.hpp"

#include <cerrno>
#include <coroutine>
#include <cstddef>
#include <sys/types.h>
#include <utility>

namespace eddy::detail {

/// Which way an operation goes, and whether a short transfer proves the fd drained (true
/// for stream sockets, not for datagrams).
struct io_direction {
    bool write;
    bool short_means_drained;
};

/// Runs `call(fd)` once (again after EINTR): its byte count, `errc::would_block` (and the
/// readiness it observed is forgotten), or the error. Stops the program if the calling
/// thread is not the fd's core.
template <class Call> result<std::size_t> attempt(fd_readiness& f, Call& call, io_direction dir) {
    const std::uint8_t bit = dir.write ? readiness_bit::writable : readiness_bit::readable;
    f.check_core();
    const std::uint32_t tick = f.tick();
    const ssize_t n = retry_on_eintr([&] { return call(f.fd()); });
    if (n >= 0) {
        if (dir.short_means_drained && static_cast<std::size_t>(n) < call.size() && n > 0)
            f.clear(bit, tick);
        return static_cast<std::size_t>(n);
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        f.clear(bit | readiness_bit::error, tick);
        return errc::would_block;
    }
    f.clear_error(); // reported: the error readiness is used up
    return error::from_errno(errno);
}

/// True if `r` is `attempt`'s "would block".
inline bool would_block(const result<std::size_t>& r) noexcept {
    return !r && r.error() == errc::would_block;
}

template <class Call> class fd_operation : public fd_awaiter {
  public:
    fd_operation(fd_readiness& f, Call call, io_direction dir) noexcept
        : fd_awaiter(f, dir.write), call_(call), dir_(dir) {
        retry = &retry_call;
    }
    fd_operation(fd_operation&& o) noexcept
        : fd_awaiter(std::move(o)), call_(o.call_), dir_(o.dir_) {
        retry = &retry_call;
    }

    bool await_ready() {
        if (stopping()) return true;
        // Known drained: wait for the reactor's next edge. (An operation on nothing, which
        // the kernel or the call completes at once, does not wait.)
        if (call_.size() != 0 && !fd->may_transfer(dir_.write)) {
            fd->check_core();
            return false;
        }
        result_ = attempt(*fd, call_, dir_);
        return !would_block(result_) && done_at_once();
    }
    void await_suspend(std::coroutine_handle<> h) noexcept { suspend(h); }
    result<std::size_t> await_resume() noexcept {
        if (canceled) return errc::operation_canceled;
        return std::move(result_);
    }

    /// The call, with what the syscall left in it (a datagram's sender, for one).
    const Call& call() const noexcept { return call_; }

  private:
    static bool retry_call(fd_waiter* w) {
        auto* self = static_cast<fd_operation*>(w);
        self->result_ = attempt(*self->fd, self->call_, self->dir_);
        return !would_block(self->result_);
    }

    Call call_;
    io_direction dir_;
    result<std::size_t> result_{std::size_t{0}};
};

} // namespace eddy::detail
