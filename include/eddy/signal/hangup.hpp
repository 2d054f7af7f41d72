// `signal::hangup()`: wait for SIGHUP, to shut a server down cleanly when the terminal or
// session it runs in goes away (or when a supervisor sends it), as on SIGTERM.
//
//     auto hup = eddy::signal::hangup();      // on the main thread: SIGHUP is taken now
//     eddy::runtime rt{{.cores = 4}};
//     rt.run_on_all_cores([&]() -> eddy::task<> {
//         if (eddy::current_core() == 0)
//             eddy::spawn([&]() -> eddy::task<> {
//                 auto got = co_await std::move(hup);
//                 if (got) rt.stop();
//             }).detach();
//         ...
//     });
//
// Calling `hangup()` on core 0, or on the main thread before the runtime runs, blocks SIGHUP
// on that thread at once, for good: from then on it no longer ends the process but queues
// for a signalfd read on core 0, and every waiting `hangup()`, on any core, completes. The
// runtime's other threads (cores 1 and up, the blocking pool) block SIGHUP from the start,
// as they do SIGINT and SIGTERM. Threads the program starts itself must block SIGHUP too, or
// the kernel may deliver it there and end the process.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

namespace eddy::signal {

/// Completes with SIGHUP when one arrives; `errc::operation_canceled` if the runtime stops
/// first. SIGHUP is taken (blocked) by the call itself, on core 0 or before the runtime
/// runs, not when the task first runs.
/// A failing signalfd(2) gives the system's error, about "signalfd". Cancel-safe on core 0:
/// a cancelled wait reads no signal. Awaited on another core, the wait runs on core 0 and
/// comes back with the signal, so a cancellation there (`timeout`, an abort) takes effect
/// only once a signal arrives or the runtime stops (see cross_core.hpp).
task<result<int>> hangup();

} // namespace eddy::signal
