// What the awaiters of an fd (an I/O operation, a readiness wait) share: a wait that ends at
// once gives the task's coop budget a unit (and yields when it is spent), a wait that cannot
// end parks in the fd's readiness, a parked wait can be withdrawn, and nothing of an
// awaiter that completed or was queued points at the fd any more (its socket may be closed
// before the task resumes).
#pragma once

#include "eddy/runtime/detail/io/fd_readiness.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

#include <coroutine>
#include <utility>

namespace eddy::detail {

class fd_awaiter : protected fd_waiter {
  public:
    fd_awaiter(const fd_awaiter&) = delete;
    fd_awaiter& operator=(const fd_awaiter&) = delete;
    fd_awaiter& operator=(fd_awaiter&&) = delete;

    /// Withdraws a parked wait (see `timeout`); false once it has completed or is queued.
    bool cancel() noexcept { return fd && fd->unpark(*this); }

  protected:
    fd_awaiter(fd_readiness& f, bool write) noexcept : write_(write) { fd = &f; }
    fd_awaiter(fd_awaiter&& o) noexcept : write_(o.write_) { fd = o.fd; }
    ~fd_awaiter() {
        if (fd) fd->unpark(*this);
    }

    /// True, with `canceled` set, when the runtime is stopping: no new wait starts then.
    bool stopping() noexcept { return canceled = fd->owner().stopping(); }

    /// The wait ended at once. True: go on without suspending. False: the task has spent
    /// its coop budget, and `suspend` then queues it behind the core's other tasks.
    bool done_at_once() noexcept {
        if (fd->owner().coop_consume()) return true;
        yielded_ = true;
        return false;
    }

    /// Yields (after `done_at_once` said false) or parks until the reactor ends the wait.
    void suspend(std::coroutine_handle<> h) noexcept {
        node.handle = h;
        if (yielded_)
            std::exchange(fd, nullptr)->owner().schedule(node); // done: let go of the fd
        else
            fd->park(*this, write_);
    }

    bool write_;
    bool yielded_ = false;
};

} // namespace eddy::detail
