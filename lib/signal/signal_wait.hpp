// What `ctrl_c()` and `hangup()` share: waiting on core 0, on a signalfd, for one signal of
// a set. A signal in the set is blocked on the calling thread at once, so that from then on
// it queues for the signalfd instead of taking its default action (ending the process).
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

#include <csignal>

namespace eddy::signal::detail {

/// Blocks `signals` now when called on core 0 or outside any runtime (on the thread that
/// will be core 0); gives the task that waits, on core 0, for one of them and completes
/// with its number, on the core it was awaited on. `errc::operation_canceled` if the
/// runtime stops first.
task<result<int>> wait_for(const sigset_t& signals);

} // namespace eddy::signal::detail
