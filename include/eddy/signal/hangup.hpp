// `signal::hangup()`: wait for SIGHUP, to shut a server down cleanly when the terminal or
// session it runs in goes away (or when a supervisor sends it), as on SIGTERM.
//
//     auto hup = eddy::signal::hangup();      // first: before the runtime starts its threads
//     eddy::runtime rt{{.cores = 4}};
//     rt.run_on_all_cores([&]() -> eddy::task<> {
//         if (eddy::current_core() == 0)
//             eddy::spawn([&]() -> eddy::task<> {
//                 if (co_await std::move(hup)) rt.stop();
//             }).detach();
//         ...
//     });
//
// Calling `hangup()` on core 0, or on the main thread before the runtime runs, blocks SIGHUP
// on that thread at once, for good: from then on it no longer ends the process but queues
// for a signalfd read on core 0, and every waiting `hangup()`, on any core, completes. A
// thread inherits the signal mask of the thread that starts it, and a runtime starts its
// threads when it is made: with more than one core, call `hangup()` before making the
// runtime, or a SIGHUP the kernel hands to another core's thread still ends the process.
// Threads the program starts itself must block SIGHUP too.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

namespace eddy::signal {

/// Completes with SIGHUP when one arrives; `errc::operation_canceled` if the runtime stops
/// first.
task<result<int>> hangup();

} // namespace eddy::signal
