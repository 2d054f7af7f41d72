// One core's scheduler: run queue, reactor, timers and inbox, driven by one thread. Nothing
// here is shared with other threads except the mailbox (the inbox and what wakes the core,
// which may outlive the scheduler: see core_mailbox.hpp) and the stop flag.
//
// A loop turn: deliver inbox messages, run deferred calls, fire due timers, then resume the
// coroutines that were ready when the turn began, each once and at most `turn_budget` of
// them (each with a fresh coop budget); a coroutine made ready during the turn waits for the
// next one. Then poll the reactor: without waiting if work is left, else until the next
// timer. So a task that always has work cannot hold timers and the reactor back for longer
// than one turn.
#pragma once

#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/detail/core_mailbox.hpp"
#include "eddy/runtime/detail/inbox.hpp"
#include "eddy/runtime/detail/intrusive_list.hpp"
#include "eddy/runtime/detail/io/reactor.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>

namespace eddy::detail {

class fd_readiness;
class runtime_core;

/// A spawned task's root, registered with its core so shutdown can destroy what is left.
class root_base : public list_hook {
  public:
    virtual void destroy_root() noexcept = 0;
    /// Aborts the task on its home core `home`: at once where it waits, or, if it is away
    /// on another core, when it comes back.
    virtual void abort_root(scheduler& home) noexcept = 0;

  protected:
    ~root_base() = default;
};

struct scheduler_options {
    std::size_t coop_budget = 32; ///< operations a task may complete at once before yielding
    std::size_t turn_budget = 64; ///< coroutines resumed between two reactor polls
};

class scheduler {
  public:
    scheduler(std::size_t index, runtime_core& rt, scheduler_options opts);
    ~scheduler();
    scheduler(const scheduler&) = delete;
    scheduler& operator=(const scheduler&) = delete;

    std::size_t index() const noexcept { return index_; }
    runtime_core& runtime() const noexcept { return *runtime_; }
    detail::reactor& reactor() noexcept { return reactor_; }

    // --- hot path, owning thread only ---
    void schedule(ready_node& n) noexcept { ready_.push_back(n); }
    /// Takes one unit of the running task's coop budget; false when it is spent (the
    /// operation should then yield before it continues).
    bool coop_consume() noexcept { return coop_left_ > 0 && (--coop_left_, true); }
    /// True once the runtime is stopping: new waits end at once with operation_canceled.
    bool stopping() const noexcept { return stopping_; }

    /// This core's scratch buffer (`scratch_size` bytes), for an operation to use between
    /// two suspensions and never across one: `io::copy` reads into it and writes the bytes
    /// straight out, so a copy that waits holds no buffer.
    static constexpr std::size_t scratch_size = 16 * 1024;
    std::span<std::byte> scratch() {
        if (!scratch_) scratch_ = std::make_unique_for_overwrite<std::byte[]>(scratch_size);
        return {scratch_.get(), scratch_size};
    }

    void add_timer(timer_node& n, clock::time_point deadline) { timers_.insert(n, deadline); }
    void remove_timer(timer_node& n) noexcept { timers_.remove(n); }

    /// Registers an fd's readiness for stop-time cancellation; it leaves the list when
    /// destroyed.
    void add_fd(fd_readiness& f);

    void add_root(root_base& r) noexcept { roots_.push_back(r); }

    /// Runs `d` at the start of the next turn (once, however often it is deferred).
    void defer(deferred_call& d) noexcept {
        if (!d.linked()) deferred_.push_back(d);
    }

    // --- any thread, while the runtime lives ---
    /// Queues `m` for this core and wakes it if needed. Once the runtime is torn down (its
    /// loops ended, see `close_inbox`), `m` is discarded at once instead.
    void post(inbox_message& m) noexcept { mailbox_->post(m); }
    /// Wakes the core from its reactor's wait.
    void wake() noexcept { mailbox_->wake(); }
    /// The core's mailbox. What may outlive the runtime (an `eddy::sync` state) holds a
    /// reference to it (`share_mailbox`), posts through it, and knows its core by it: a core
    /// of a later runtime never has the mailbox of one that is gone.
    core_mailbox& mailbox() const noexcept { return *mailbox_; }
    mailbox_ref share_mailbox() const noexcept { return mailbox_; }

    // --- the loop, owning thread only ---
    /// Runs the loop until `done()` or until the runtime stops.
    void run_until(const std::function<bool()>& done);
    /// Runs the loop until the runtime stops.
    void run() {
        run_until([] { return false; });
    }
    /// Teardown, with every core's loop ended and on one thread: first every core drops its
    /// queued messages, then every core destroys the tasks left on it.
    /// `close_inbox` discards what is queued, and closes the mailbox: what is posted from now
    /// on, from any thread, is discarded (a channel's last sender destroyed with a task of
    /// another core, a notify from a thread that runs no core, or a handle kept past the
    /// runtime).
    void close_inbox() noexcept;
    void destroy_roots() noexcept;

  private:
    /// Polls the reactor: without waiting if work is queued, else until the next timer.
    void poll_reactor();
    void deliver_inbox();
    void fire_timers();
    void run_deferred();
    void run_ready();
    void cancel_waits() noexcept;
    void drain_on_stop();

    std::size_t index_;
    runtime_core* runtime_;
    scheduler_options opts_;
    ready_queue ready_;
    mailbox_ref mailbox_; // before the reactor, which watches its eventfd
    detail::reactor reactor_;
    timer_heap timers_;
    intrusive_list<fd_readiness> fds_;
    intrusive_list<root_base> roots_;
    intrusive_list<deferred_call> deferred_;
    std::unique_ptr<std::byte[]> scratch_;
    std::size_t coop_left_ = 0;
    bool stopping_ = false;
};

/// The scheduler of the core the calling thread runs; null outside a runtime's cores.
scheduler* current_scheduler_or_null() noexcept;
/// The scheduler of the calling core; asserts that there is one.
scheduler& current_scheduler() noexcept;
void set_current_scheduler(scheduler* s) noexcept;

} // namespace eddy::detail
