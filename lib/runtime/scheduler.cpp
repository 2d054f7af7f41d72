#include "eddy/runtime/detail/scheduler.hpp"

#include "eddy/runtime/detail/io/fd_readiness.hpp"
#include "eddy/runtime/detail/runtime_core.hpp"

#include <cassert>
#include <climits>

namespace eddy::detail {

namespace {
// initial-exec: read with one instruction, not through __tls_get_addr (a call per read in a
// shared library), as every socket operation reads it to check its core.
[[gnu::tls_model("initial-exec")]] thread_local scheduler* current = nullptr;
// Rounds of cancel-and-run a stopping core gives its tasks to finish before it gives up on
// them (they are destroyed afterwards).
constexpr int stop_rounds = 64;
} // namespace

scheduler* current_scheduler_or_null() noexcept {
    return current;
}
scheduler& current_scheduler() noexcept {
    assert(current && "this needs to run on an eddy runtime core (inside block_on or a task)");
    return *current;
}
void set_current_scheduler(scheduler* s) noexcept {
    current = s;
}

scheduler::scheduler(std::size_t index, runtime_core& rt, scheduler_options opts)
    : index_(index), runtime_(&rt), opts_(opts), mailbox_(new core_mailbox(index)),
      reactor_(mailbox_->wake_fd()) {}

// The runtime closed the mailbox already, unless it failed while it was being made; either
// way nothing may be queued for a scheduler that is gone. Sockets still registered here were
// kept past the runtime: they let go of this core.
scheduler::~scheduler() {
    close_inbox();
    fds_.for_each([](fd_readiness& f) { f.orphan(); });
}

void scheduler::add_fd(fd_readiness& f) {
    fds_.push_back(f);
}

void scheduler::run_until(const std::function<bool()>& done) {
    if (stopping_) return;
    while (!done()) {
        if (runtime_->stop_requested()) {
            drain_on_stop();
            return;
        }
        deliver_inbox();
        run_deferred();
        fire_timers();
        run_ready();
        if (done()) return;
        poll_reactor();
    }
}

void scheduler::poll_reactor() {
    int timeout_ms = -1;
    if (!ready_.empty() || !mailbox_->empty() || !deferred_.empty()) {
        timeout_ms = 0;
    } else if (!timers_.empty()) {
        auto wait = timers_.next_deadline() - clock::now();
        if (wait <= clock::duration::zero()) {
            timeout_ms = 0;
        } else {
            // Round up: waking a little late is fine, waking early spins.
            auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
            timeout_ms = ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
        }
    }
    reactor_.poll(timeout_ms);
}

void scheduler::deliver_inbox() {
    if (mailbox_->empty()) return; // a plain load: no atomic exchange on a quiet turn
    for (inbox_message* m = mailbox_->take_all(); m;) {
        inbox_message* next = inbox::next(m); // `deliver` may free m
        m->deliver(*this);
        m = next;
    }
}

void scheduler::run_deferred() {
    if (deferred_.empty()) return;
    // Only what was deferred before this turn: a call that defers itself again waits.
    intrusive_list<deferred_call> batch;
    batch.splice_back(deferred_);
    while (deferred_call* d = batch.pop_front())
        d->run(d);
}

void scheduler::fire_timers() {
    if (timers_.empty()) return;
    const auto now = clock::now();
    while (timer_node* t = timers_.pop_expired(now))
        t->on_expire(t);
}

void scheduler::run_ready() {
    if (ready_.empty()) return;
    // The coroutines ready now; those made ready while they run go to `ready_` for the next
    // turn. A queued coroutine destroyed meanwhile unlinks itself from `batch`.
    ready_queue batch;
    batch.splice_back(ready_);
    for (std::size_t i = 0; i < opts_.turn_budget; ++i) {
        ready_node* n = batch.pop_front();
        if (!n) return;
        coop_left_ = opts_.coop_budget;
        n->handle.resume(); // n may be gone after this
    }
    ready_.splice_front(batch); // over budget: they still go first next turn
}

void scheduler::cancel_waits() noexcept {
    fds_.for_each([](fd_readiness& f) { f.cancel_waiters(); });
    while (!timers_.empty()) {
        timer_node* t = timers_.pop_expired(clock::time_point::max());
        t->on_expire(t);
    }
}

void scheduler::drain_on_stop() {
    stopping_ = true;
    for (int round = 0; round < stop_rounds; ++round) {
        cancel_waits();
        deliver_inbox();
        run_deferred();
        if (ready_.empty()) break;
        run_ready();
    }
}

void scheduler::close_inbox() noexcept {
    for (inbox_message* m = mailbox_->close(); m;) {
        inbox_message* next = inbox::next(m); // `discard` may free m
        m->discard();
        m = next;
    }
}

void scheduler::destroy_roots() noexcept {
    // Destroying a root may destroy others (a task owning join handles that abort), so take
    // them one at a time from the front.
    while (root_base* r = roots_.front()) {
        r->unlink();
        r->destroy_root();
    }
    while (ready_node* n = ready_.pop_front())
        (void)n;
    while (deferred_call* d = deferred_.front())
        d->unlink();
}

} // namespace eddy::detail
