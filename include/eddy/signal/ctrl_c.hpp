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
/// `errc::operation_canceled` if the runtime stops first. The signals are taken (blocked) by
/// the call itself, on core 0 or before the runtime runs, not when the task first runs.
/// A failing signalfd(2) gives the system's error, about "signalfd". Cancel-safe on core 0:
/// a cancelled wait reads no signal. Awaited on another core, the wait runs on core 0 and
/// comes back with the signal, so a cancellation there (`timeout`, an abort) takes effect
/// only once a signal arrives or the runtime stops (see cross_core.hpp).
task<result<int>> ctrl_c();

} // namespace eddy::signal
