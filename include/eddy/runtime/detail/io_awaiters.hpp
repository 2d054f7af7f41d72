// The awaiters every socket operation is built from.
//
// `io_operation<Call>` tries its syscall at once (`await_ready`): data ready means no
// suspension. On EAGAIN it forgets the readiness it observed and parks in the fd's
// `io_state`; the reactor retries the syscall on the next edge and queues the coroutine
// only when it has a result. `readiness_wait` waits for readiness alone, so a server can
// wait without holding a buffer and then call `try_read` (Tokio's `readable()`).
//
// Both are cancel-safe: destroying or cancelling them while parked unparks them, and an
// operation cancelled before it ran has transferred no data.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/io_state.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

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

/// Runs `call(fd)` once: its byte count, would_block (readiness forgotten), or the error.
/// Stops the program if the calling thread is not the fd's core.
template <class Call>
result<std::size_t> attempt(io_state& s, Call& call, io_direction dir, bool& blocked) {
    const std::uint8_t bit = dir.write ? writable : readable;
    s.check_core();
    for (;;) {
        const std::uint32_t tick = s.tick();
        const ssize_t n = call(s.fd());
        if (n >= 0) {
            if (dir.short_means_drained && static_cast<std::size_t>(n) < call.size() && n > 0)
                s.clear(bit, tick);
            blocked = false;
            return static_cast<std::size_t>(n);
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            s.clear(bit | io_error, tick);
            blocked = true;
            return errc::would_block;
        }
        blocked = false;
        s.clear_error(); // reported: the error readiness is used up
        return error::from_errno(errno);
    }
}

template <class Call> class io_operation : private io_waiter {
  public:
    io_operation(io_state& s, Call call, io_direction dir) noexcept : call_(call), dir_(dir) {
        state = &s;
    }
    io_operation(io_operation&& o) noexcept : call_(o.call_), dir_(o.dir_) { state = o.state; }
    io_operation& operator=(io_operation&&) = delete;
    ~io_operation() {
        if (state) state->unpark(*this);
    }

    bool await_ready() {
        scheduler& sched = state->owner(); // (`attempt` checks that this is its core)
        if (sched.stopping()) {
            result_ = errc::operation_canceled;
            return true;
        }
        bool blocked;
        result_ = attempt(*state, call_, dir_, blocked);
        if (blocked) return false;
        if (sched.coop_consume()) return true;
        yielded_ = true; // done, but this task has used its budget: let others run first
        return false;
    }

    void await_suspend(std::coroutine_handle<> h) noexcept {
        node.handle = h;
        if (yielded_) {
            // Completed: let go of the fd before queueing (see io_state::wake).
            std::exchange(state, nullptr)->owner().schedule(node);
            return;
        }
        retry = &retry_call;
        if (dir_.write)
            state->park_writer(*this);
        else
            state->park_reader(*this);
    }

    result<std::size_t> await_resume() noexcept {
        if (canceled) return errc::operation_canceled;
        return std::move(result_);
    }

    /// Withdraws a parked operation (see `timeout`); false once it has completed.
    bool cancel() noexcept { return state && state->unpark(*this); }

    /// The call, with what the syscall left in it (a datagram's sender, for one).
    const Call& call() const noexcept { return call_; }

  private:
    static bool retry_call(io_waiter* w) {
        auto* self = static_cast<io_operation*>(w);
        bool blocked;
        self->result_ = attempt(*self->state, self->call_, self->dir_, blocked);
        return !blocked;
    }

    Call call_;
    io_direction dir_;
    bool yielded_ = false;
    result<std::size_t> result_{std::size_t{0}};
};

/// Waits until the fd is readable (or read-closed, or failed) or writable.
class readiness_wait : private io_waiter {
  public:
    readiness_wait(io_state& s, bool write) noexcept : write_(write) { state = &s; }
    readiness_wait(readiness_wait&& o) noexcept : write_(o.write_) { state = o.state; }
    readiness_wait& operator=(readiness_wait&&) = delete;
    ~readiness_wait() {
        if (state) state->unpark(*this);
    }

    bool await_ready() noexcept {
        state->check_core();
        scheduler& sched = state->owner();
        if (sched.stopping()) return canceled = true;
        if (!(write_ ? state->write_ready() : state->read_ready())) return false;
        if (sched.coop_consume()) return true;
        yielded_ = true;
        return false;
    }

    void await_suspend(std::coroutine_handle<> h) noexcept {
        node.handle = h;
        if (yielded_)
            std::exchange(state, nullptr)->owner().schedule(node);
        else if (write_)
            state->park_writer(*this);
        else
            state->park_reader(*this);
    }

    /// Ready, or `operation_canceled` when the runtime stopped or the socket went away.
    result<void> await_resume() const noexcept {
        if (canceled) return errc::operation_canceled;
        return {};
    }

    bool cancel() noexcept { return state && state->unpark(*this); }

  private:
    bool write_;
    bool yielded_ = false;
};

/// An awaitable that is complete from the start (for operations that never wait).
template <class T> class ready_value {
  public:
    explicit ready_value(T v) : value_(std::move(v)) {}
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    T await_resume() { return std::move(value_); }
    bool cancel() const noexcept { return false; }

  private:
    T value_;
};

} // namespace eddy::detail
