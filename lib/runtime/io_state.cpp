#include "eddy/runtime/detail/io_state.hpp"

#include "eddy/runtime/detail/scheduler.hpp"

#include <sys/epoll.h>

namespace eddy::detail {

io_state::~io_state() {
    cancel_waiters();
}

void io_state::on_event(std::uint32_t events) noexcept {
    ++tick_;
    if (events & EPOLLERR) ready_ |= io_error;
    if (events & (EPOLLRDHUP | EPOLLHUP)) ready_ |= read_closed;
    if (events & EPOLLIN) ready_ |= readable;
    if (events & (EPOLLOUT | EPOLLHUP)) ready_ |= writable;
    if (reader_ && read_ready()) wake(reader_);
    if (writer_ && write_ready()) wake(writer_);
}

void io_state::wake(io_waiter*& slot) noexcept {
    io_waiter* w = slot;
    slot = nullptr;
    if (w->retry && !w->retry(w)) {
        slot = w; // EAGAIN again: keep waiting for the next edge
        return;
    }
    // Done: from here on nothing of the waiter points at this fd, which its task (or
    // another task that runs first) may close before the waiter resumes.
    w->state = nullptr;
    owner_->schedule(w->node);
}

void io_state::cancel_waiters() noexcept {
    for (io_waiter** slot : {&reader_, &writer_}) {
        if (io_waiter* w = *slot) {
            *slot = nullptr;
            w->canceled = true;
            w->state = nullptr;
            owner_->schedule(w->node);
        }
    }
}

} // namespace eddy::detail
