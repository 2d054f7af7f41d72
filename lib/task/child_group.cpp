#include "eddy/task/detail/child_group.hpp"

#include "eddy/runtime/detail/scheduler.hpp"

#include <utility>

namespace eddy::detail {

child_group::child_group(std::size_t count, decided_by rule)
    : children_(std::make_unique<child[]>(count)), count_(count), left_(count), rule_(rule) {
    for (std::size_t i = 0; i < count; ++i) {
        children_[i].request.group = this;
        children_[i].request.index = i;
        children_[i].request.run = &retry_withdraw;
    }
}

// The children are destroyed with the array: each request is withdrawn, each runner (ended,
// or left waiting at home when the runtime is torn down) destroyed.
child_group::~child_group() = default;

void child_group::set_runner(std::size_t i, task<> runner) noexcept {
    children_[i].runner = std::move(runner);
}

bool child_group::start(std::coroutine_handle<> parent) noexcept {
    home_ = &current_scheduler();
    parent_.handle = parent;
    for (std::size_t i = 0; i < count_; ++i)
        children_[i].request.owner = home_;
    // Each child runs until it first waits. A child that decides at once (a failure, or any
    // end for when_any) withdraws those after it before they ever run.
    starting_ = true;
    for (std::size_t i = 0; i < count_; ++i)
        if (!children_[i].ended) handle_of(children_[i].runner).resume();
    starting_ = false;
    return left_ != 0; // every child ended already: the parent goes on without suspending
}

void child_group::child_ended(std::size_t i, child_end how) noexcept {
    mark_ended(children_[i]);
    const bool decides = rule_ == decided_by::any_end || how == child_end::exception ||
                         (rule_ == decided_by::exception_or_error && how == child_end::error);
    // After a cancellation withdrew other children, an end still decides a when_any: it is
    // a result that arrived, and a cancellation that is not forced never drops one.
    if (decides && decider_ == none && (!abandoned_ || rule_ == decided_by::any_end)) {
        decider_ = i;
        cancel_the_rest();
    }
    resume_parent_if_done();
}

void child_group::cancel_the_rest() noexcept {
    for (std::size_t i = 0; i < count_; ++i)
        withdraw(i);
}

void child_group::withdraw(std::size_t i) noexcept {
    child& c = children_[i];
    if (c.ended || try_cancel(c, c.request)) return;
    // Its result is queued (it runs on to its next wait) or it is on another core: try
    // again next turn, or when it comes back.
    if (!c.request.waiting_for_return()) c.request.retry_next_turn();
}

bool child_group::try_cancel(child& c, cancel_request& r) noexcept {
    // Cancelling the runner cancels the child it awaits, and destroys both on success.
    if (!task<>::awaiter(c.runner).cancel(r)) return false;
    mark_ended(c);
    return true;
}

void child_group::mark_ended(child& c) noexcept {
    c.ended = true;
    c.request.withdraw();
    --left_;
}

void child_group::resume_parent_if_done() noexcept {
    if (left_ != 0 || starting_ || (abandoned_ && decider_ == none) || queued_) return;
    queued_ = true;
    home_->schedule(parent_);
}

bool child_group::cancel(cancel_request& r) noexcept {
    if (queued_) return r.force; // the parent is queued to resume with the outcome
    const bool decided = decider_ != none;
    for (std::size_t i = 0; i < count_; ++i) {
        child& c = children_[i];
        // Once an undecided child is gone there is no outcome left to give: the parent now
        // waits for the rest to go and for this cancellation to be retried.
        if (!c.ended && try_cancel(c, r) && !decided) abandoned_ = true;
    }
    if (left_ != 0) return false;
    if ((abandoned_ && decider_ == none) || r.force) return true;
    // Decided before this cancellation came, which only took the last losers away: the
    // outcome stands, and a result is never dropped by a cancellation that is not forced.
    queued_ = true;
    home_->schedule(parent_);
    return false;
}

void child_group::free_runners() noexcept {
    for (std::size_t i = 0; i < count_; ++i)
        children_[i].runner.reset();
}

void child_group::retry_withdraw(deferred_call* d) noexcept {
    auto* r = static_cast<withdraw_request*>(static_cast<cancel_request*>(d));
    r->group->withdraw(r->index);
    r->group->resume_parent_if_done();
}

} // namespace eddy::detail
