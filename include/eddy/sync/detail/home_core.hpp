// The core a primitive's state lives on (its home), as the state holds it.
//
// A state may outlive its runtime: a handle kept in main() past the runtime, or dropped by a
// plain thread after the runtime ended. Its scheduler is freed with the runtime, so the state
// also holds a reference to the core's mailbox (runtime/detail/core_mailbox.hpp), taken once
// when the state is made and dropped when it is freed, never per operation. Everything that
// may happen off home goes through the mailbox: a message to home (discarded once the
// runtime is torn down, which releases what it held), and the question "does the caller run
// on home?", which compares mailboxes: the mailbox outlives its core for as long as the state
// holds it, so no core of a later runtime can have it, even a scheduler that reuses the freed
// one's memory. A thread that runs no core is never home. The scheduler itself is used on
// home only, where it is alive.
#pragma once

#include "eddy/runtime/detail/core_mailbox.hpp"
#include "eddy/runtime/detail/misuse.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

namespace eddy::sync::detail {

using eddy::detail::core_mailbox;
using eddy::detail::inbox_message;
using eddy::detail::scheduler;

/// The core the caller runs on; null on a thread that runs no core.
inline scheduler* calling_core() noexcept {
    return eddy::detail::current_scheduler_or_null();
}

class home_core {
  public:
    explicit home_core(scheduler& core) noexcept : core_(&core), mailbox_(core.share_mailbox()) {}

    /// The home scheduler: only on home (it is freed with its runtime).
    scheduler& core() const noexcept { return *core_; }
    core_mailbox& mailbox() const noexcept { return *mailbox_; }

    /// True when the caller runs on home.
    bool called_here() const noexcept {
        scheduler* here = calling_core();
        return here && &here->mailbox() == mailbox_.get();
    }
    /// Stops the program when called on another core than home (a thread that runs no core
    /// is let through); `what` names the call.
    void check(const char* what) const noexcept {
        scheduler* here = calling_core();
        if (here && &here->mailbox() != mailbox_.get())
            eddy::detail::used_on_other_core(what, mailbox_->core_index(), mailbox_->closed(),
                                             here->index());
    }

    /// Queues `m` for home, from any thread (see `core_mailbox::post`).
    void post(inbox_message& m) const noexcept { mailbox_->post(m); }

  private:
    scheduler* core_;
    eddy::detail::mailbox_ref mailbox_;
};

} // namespace eddy::sync::detail
