// `signal::ctrl_c()`: wait for SIGINT or SIGTERM, to shut a server down cleanly.
//
//     eddy::spawn([&rt]() -> eddy::task<> {
//         co_await eddy::signal::ctrl_c();
//         rt.stop();
//     });
//
// Calling `ctrl_c()` on core 0, or on the main thread before the runtime runs, takes SIGINT
// and SIGTERM away from their default action (terminating the process) at once, for good;
// call it before announcing readiness so no signal falls in between. The signals are read
// from a signalfd on core 0 and every waiting `ctrl_c()`, on any core, completes. Threads
// the program starts itself must block these signals too, or the kernel may deliver them
// there. SIGHUP has its own wait: `signal::hangup()`.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

namespace eddy::signal {

/// Completes with the signal number (SIGINT or SIGTERM) when one arrives;
/// `errc::operation_canceled` if the runtime stops first.
task<result<int>> ctrl_c();

} // namespace eddy::signal
