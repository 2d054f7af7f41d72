// The record an operation leaves in an fd's readiness while it waits for the reactor: the
// coroutine to queue, the syscall to retry, and the fd it waits on.
#pragma once

#include "eddy/runtime/detail/ready_queue.hpp"

namespace eddy::detail {

class fd_readiness;

/// An operation parked on an fd. `retry` runs on readiness, in the reactor: it performs the
/// operation and returns true when it finished (then the coroutine is queued to run), or
/// false when it hit EAGAIN again and keeps waiting. A null `retry` waits for readiness only.
struct fd_waiter {
    ready_node node;
    bool (*retry)(fd_waiter*) = nullptr;
    /// The fd waited on; null once the wait completed or was cancelled (the fd may be closed
    /// by then).
    fd_readiness* fd = nullptr;
    /// Set when the wait ended without the operation: runtime stop, or the fd went away.
    bool canceled = false;
};

} // namespace eddy::detail
