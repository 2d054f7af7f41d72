// How an `eddy::sync` primitive waits and wakes across cores.
//
// A primitive's state lives on one core, its home (the core that made it), and is read and
// written only there, so an operation on home is plain code: no lock, no atomic
// read-modify-write. An operation awaited on another core travels to home as a message in
// home's inbox (the awaiter itself is the message: nothing is allocated), runs there, and
// its completion travels back the same way, so the awaiting coroutine always resumes on its
// own core. A core that posts to a sleeping core writes its eventfd once per batch.
//
// Cancelling (timeout, abort) an operation parked at home from another core cannot unpark it
// from there: `cancel()` posts a withdraw message and answers "not yet"; home always answers
// it, with "withdrawn" (it was still parked) or "too late" (it had completed: its answer
// came first, on the same path, and the result stands). The canceller is called back when
// that answer comes (`cancel_callback`), so nothing polls meanwhile, and the awaiter is not
// destroyed while home may still touch one of its messages.
//
// Home may be gone: the primitive outlived its runtime and is awaited on a core of another
// one. Home's mailbox, closed, then discards what is posted to it (home_core.hpp): the
// operation never completes, and the withdraw, which home can no longer answer, is answered
// "withdrawn" where it is discarded, so a timeout or an abort still ends the wait.
//
// A primitive derives its awaiters from `home_operation` and gives it two hooks, both run
// on home: `try_now()` (do it if it can be done at once; true when done, the outcome stored
// in the awaiter) and `park()` (link the awaiter into the state's wait list). When the state
// later completes a parked awaiter, it stores the outcome and calls `finish()`, on home. A
// primitive whose waiters count, or hold back those behind them (a barrier, a semaphore),
// also overrides `withdrawn()`, run on home when a cancellation took a waiter out.
#pragma once

#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/detail/inbox.hpp"
#include "eddy/runtime/detail/intrusive_list.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/sync/detail/home_core.hpp"

#include <coroutine>
#include <cstdint>

namespace eddy::sync::detail {

using eddy::detail::intrusive_list;
using eddy::detail::list_hook;
using eddy::detail::ready_node;

class home_operation : public list_hook {
  public:
    // Movable until awaited (so it can be handed to `timeout`).
    home_operation(home_operation&& o) noexcept : list_hook(), home_(o.home_) {}
    home_operation& operator=(home_operation&&) = delete;

    bool await_ready() {
        origin_ = &eddy::detail::current_scheduler();
        remote_ = &origin_->mailbox() != home_;
        return !remote_ && try_now();
    }
    void await_suspend(std::coroutine_handle<> h) {
        node_.handle = h;
        if (!remote_) {
            park();
            phase_ = phase::parked_here;
        } else {
            phase_ = phase::sent;
            post_home(first_, &arrive);
        }
    }

    /// On the awaiting core: withdraws the operation if nothing happened yet (see the top).
    /// Even a forced cancellation (abort) waits for home's answer while the operation is at
    /// home: home still holds it.
    bool cancel(eddy::detail::cancel_request& r) noexcept {
        switch (phase_) {
        case phase::idle: return true;
        case phase::parked_here:
            if (linked()) {
                unlink();
                withdrawn();
            }
            return true;
        case phase::sent:
            phase_ = phase::withdrawing;
            post_home(second_, &withdraw);
            callback_.arm(r);
            return false;
        case phase::withdrawing: callback_.arm(r); return false;
        case phase::withdrawn: return true;
        case phase::finished: return r.force;
        }
        return false;
    }

    /// On home: ends a parked operation (its outcome is stored) and resumes its coroutine on
    /// its own core.
    void finish() noexcept {
        unlink();
        if (!remote_) {
            phase_ = phase::finished;
            origin_->schedule(node_); // the origin is home
        } else {
            answer_home(first_, &completed);
        }
    }

  protected:
    /// An operation on the primitive whose home has the mailbox `home` (home_core.hpp).
    explicit home_operation(core_mailbox& home) noexcept : home_(&home) {}
    virtual ~home_operation() = default;

    /// On home: does the operation now if it can, storing the outcome; false to park.
    virtual bool try_now() = 0;
    /// On home: links `*this` into the primitive's wait list.
    virtual void park() = 0;
    /// On home: a cancellation took `*this` out of the wait list (it completed nothing).
    virtual void withdrawn() noexcept {}

    /// On the awaiting core: the operation completed (home gave it what it waited for) but
    /// its coroutine will never see it (a forced cancellation destroys it before it runs).
    /// A primitive whose completion hands over something that must not be lost (a
    /// notification) passes it on from its awaiter's destructor.
    bool completed_unseen() const noexcept { return phase_ == phase::finished && !seen_; }
    /// Called from `await_resume`.
    void mark_seen() noexcept { seen_ = true; }

  private:
    enum class phase : std::uint8_t {
        idle,        // not suspended
        parked_here, // in the wait list, on its own core
        sent,        // a request at home, or parked there
        withdrawing, // a withdraw request on its way; home's answer to it will come
        withdrawn,   // home took it out: cancelled
        finished,    // completed; the coroutine is queued to resume
    };

    class message final : public inbox_message {
      public:
        home_operation* op = nullptr;
        void (*on_delivery)(home_operation&) = nullptr;
        void deliver(scheduler&) override { on_delivery(*op); }
        // Home is gone (see the top). A discarded answer needs nothing: the awaiting core's
        // runtime is being torn down, and its tasks with it.
        void discard() noexcept override {
            if (on_delivery == &withdraw) withdraw_unanswered(*op);
        }
    };

    void post_home(message& m, void (*f)(home_operation&)) noexcept {
        m.op = this;
        m.on_delivery = f;
        home_->post(m);
    }
    void answer_home(message& m, void (*f)(home_operation&)) noexcept {
        m.op = this;
        m.on_delivery = f;
        origin_->post(m);
    }

    // The first message carries the request, then (once home took it) the completion: they
    // are never queued at once. The second carries the withdraw, then home's answer to it.
    // Home posts the completion before it can see the withdraw, both from one thread, so on
    // the awaiting core the completion always arrives first.

    // On home.
    static void arrive(home_operation& op) {
        if (op.try_now())
            op.answer_home(op.first_, &completed);
        else
            op.park();
    }
    static void withdraw(home_operation& op) {
        op.withdrawn_ = op.linked(); // not linked: completed, its completion is on the way
        if (op.withdrawn_) {
            op.unlink();
            op.withdrawn();
        }
        op.answer_home(op.second_, &withdraw_answered);
    }
    // Where home's closed mailbox discards the withdraw: on the awaiting core, or on the
    // thread tearing home's runtime down (before it destroys any task). Home's lists are not
    // touched: an awaiter still linked there unlinks itself when it is destroyed.
    static void withdraw_unanswered(home_operation& op) noexcept {
        op.withdrawn_ = true;
        op.answer_home(op.second_, &withdraw_answered);
    }
    // On the awaiting core.
    static void completed(home_operation& op) {
        if (op.phase_ == phase::withdrawing) return; // resumed when the withdraw is answered
        op.phase_ = phase::finished;
        op.origin_->schedule(op.node_);
    }
    static void withdraw_answered(home_operation& op) {
        if (op.withdrawn_) {
            op.phase_ = phase::withdrawn;
        } else {
            op.phase_ = phase::finished; // too late: the completion stands
            op.origin_->schedule(op.node_);
        }
        op.callback_.fire();
    }

    core_mailbox* home_; // the primitive's state holds it
    scheduler* origin_ = nullptr;
    ready_node node_;
    message first_;
    message second_;
    eddy::detail::cancel_callback callback_;
    phase phase_ = phase::idle; // written on the awaiting core only
    bool remote_ = false;       // awaiting core only: home is another core
    bool seen_ = false;         // awaiting core only
    bool withdrawn_ = false;    // written on home (or where home's mailbox discards the withdraw),
                                // read after the answer arrives
};

} // namespace eddy::sync::detail
