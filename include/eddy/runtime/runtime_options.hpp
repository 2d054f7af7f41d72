// How a `runtime` is set up. Every field has a default, so `eddy::runtime rt;` is one core,
// and `eddy::runtime rt{{.cores = 0}}` is one core per CPU.
//
//     eddy::runtime rt{{.cores = 4, .pin = true, .blocking_threads = 16}};
#pragma once

#include <chrono>
#include <cstddef>

namespace eddy {

/// What `runtime`'s constructor takes; see each field for its default.
struct runtime_options {
    /// Cores (threads, each with its own scheduler). 0: one per CPU the process may use.
    /// Default 1: the calling thread alone.
    std::size_t cores = 1;
    /// Pin core i's thread to the i-th CPU the process may use. Default off.
    bool pin = false;
    /// Most threads the blocking pool (`spawn_blocking`, DNS, files) runs at once. Default 64.
    std::size_t blocking_threads = 64;
    /// How long an idle blocking-pool thread waits for work before it exits. Default 10 s.
    std::chrono::milliseconds blocking_keep_alive{10'000};
    /// Operations a task may complete without waiting before it yields to the others on its
    /// core, so one busy connection cannot starve the rest (nor its timers). Default 32:
    /// 32 reads of 16 KiB keep a turn well under a millisecond (tools/timer_lateness).
    std::size_t coop_budget = 32;
};

} // namespace eddy
