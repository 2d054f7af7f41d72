// How the sample programs treat signals. SIGPIPE is ignored: a write to a pipe or socket
// whose reader is gone is an error the program reports, not its sudden end (which would
// leave, say, a server's socket file behind). A server stops cleanly, exit code 0, on
// SIGINT, SIGTERM and SIGHUP.
#pragma once

#include "eddy/eddy.hpp"

#include <signal.h>

#include <functional>
#include <optional>
#include <utility>

namespace eddy::samples {

/// Call first thing in main.
inline void ignore_sigpipe() {
    ::signal(SIGPIPE, SIG_IGN);
}

/// The signals that stop a server, taken from their default action when this is made:
/// SIGINT and SIGTERM, and SIGHUP unless the program was started with SIGHUP ignored (as
/// `nohup` does, to outlive its terminal). Make it on the main thread before the runtime,
/// so that the runtime's threads leave these signals to it too.
class stop_signals {
  public:
    stop_signals() : interrupt_(eddy::signal::ctrl_c()) {
        struct sigaction current {};
        if (::sigaction(SIGHUP, nullptr, &current) == 0 && current.sa_handler != SIG_IGN)
            hangup_.emplace(eddy::signal::hangup());
    }

    /// Spawns, on the calling core (core 0), the waits: the first signal runs `before_stop`
    /// (if given) and then stops `rt`; a signal that comes during `before_stop` stops `rt`
    /// at once. Once.
    void stop_on_signal(eddy::runtime& rt, std::function<eddy::task<>()> before_stop = {}) {
        before_stop_ = std::move(before_stop);
        spawn_stopper(rt, std::move(interrupt_));
        if (hangup_) spawn_stopper(rt, std::move(*hangup_));
    }

  private:
    void spawn_stopper(eddy::runtime& rt, eddy::task<eddy::result<int>> signal) {
        eddy::spawn([](stop_signals& self, eddy::runtime& rt,
                       eddy::task<eddy::result<int>> signal) -> eddy::task<> {
            // Named, not tested inside the `if`: see docs/compiler-notes.md, section 5.
            auto got = co_await std::move(signal);
            if (!got) co_return;
            if (auto before = std::exchange(self.before_stop_, nullptr)) co_await before();
            rt.stop();
        }(*this, rt, std::move(signal)))
            .detach();
    }

    eddy::task<eddy::result<int>> interrupt_;
    std::optional<eddy::task<eddy::result<int>>> hangup_;
    std::function<eddy::task<>()> before_stop_; // run by the first signal
};

} // namespace eddy::samples
