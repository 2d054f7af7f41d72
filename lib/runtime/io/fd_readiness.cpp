#include "eddy/runtime/detail/io/fd_readiness.hpp"

#include "eddy/runtime/detail/scheduler.hpp"

#include <sys/epoll.h>

namespace eddy::detail {

fd_readiness::~fd_readiness() {
    cancel_waiters();
}

void fd_readiness::on_event(std::uint32_t events) noexcept {
    namespace bit = readiness_bit;
    ++tick_;
    if (events & EPOLLERR) ready_ |= bit::error;
    if (events & (EPOLLRDHUP | EPOLLHUP)) ready_ |= bit::read_closed;
    if (events & EPOLLIN) ready_ |= bit::readable;
    if (events & (EPOLLOUT | EPOLLHUP)) ready_ |= bit::writable;
    if (reader_ && read_ready()) wake(reader_);
    if (writer_ && write_ready()) wake(writer_);
}

void fd_readiness::wake(fd_waiter*& slot) noexcept {
    fd_waiter* w = slot;
    slot = nullptr;
    if (w->retry && !w->retry(w)) {
        slot = w; // EAGAIN again: keep waiting for the next edge
        return;
    }
    // Done: from here on nothing of the waiter points at this fd, which its task (or
    // another task that runs first) may close before the waiter resumes.
    w->fd = nullptr;
    owner_->schedule(w->node);
}

void fd_readiness::used_after_runtime() noexcept {
    misuse("a socket was used after the runtime that made it was destroyed (it may only be "
           "closed then)");
}

void fd_readiness::cancel_waiters() noexcept {
    // An orphan has no waiter: they were in tasks, destroyed with the runtime.
    if (orphaned()) return;
    for (fd_waiter** slot : {&reader_, &writer_}) {
        if (fd_waiter* w = *slot) {
            *slot = nullptr;
            w->canceled = true;
            w->fd = nullptr;
            owner_->schedule(w->node);
        }
    }
}

} // namespace eddy::detail
