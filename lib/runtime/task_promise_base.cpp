#include "eddy/runtime/detail/task_promise_base.hpp"

#include "eddy/runtime/detail/scheduler.hpp"

namespace eddy::detail {

void post_to(scheduler& target, inbox_message& m) noexcept {
    target.post(m);
}

void task_promise_base::final_awaiter::deliver(scheduler& home) {
    promise_->came_home();
    home.schedule(node_);
}

bool task_promise_base::cancel_task(std::coroutine_handle<> self, cancel_request& r) noexcept {
    // While away, nothing but `away_` and `pending_` may be read here: the task runs on
    // another thread.
    if (away_) {
        add_request(r);
        return false;
    }
    // Finished at home (or its completion came home): its value waits for the awaiter, which
    // is queued. A forced cancellation (abort) destroys it anyway; the queued node is in the
    // frame and unlinks itself.
    if (self.done()) return r.force;
    // Waiting on nothing: it has not started (destroy it), or it is running now, and the
    // cancellation comes from inside it (a task aborting its own group): it is retried at
    // the task's next suspension.
    if (!waiting_) return !started_;
    return waiting_->cancel(waiting_, r);
}

bool task_promise_base::came_home() noexcept {
    away_ = false;
    cancel_request* r = pending_.load(std::memory_order_relaxed);
    if (!r) return false;
    pending_.store(nullptr, std::memory_order_release);
    while (r) {
        cancel_request* next = std::exchange(r->next_pending_, nullptr);
        r->registered_at_ = nullptr;
        r->retry_next_turn();
        r = next;
    }
    return true;
}

void task_promise_base::add_request(cancel_request& r) noexcept {
    if (r.registered_at_ == this) return;
    r.withdraw();
    r.registered_at_ = this;
    r.next_pending_ = pending_.load(std::memory_order_relaxed);
    pending_.store(&r, std::memory_order_release);
}

void task_promise_base::remove_request(cancel_request& r) noexcept {
    cancel_request* head = pending_.load(std::memory_order_relaxed);
    if (head == &r) {
        pending_.store(r.next_pending_, std::memory_order_release);
    } else {
        for (cancel_request* p = head; p; p = p->next_pending_) {
            if (p->next_pending_ == &r) {
                p->next_pending_ = r.next_pending_;
                break;
            }
        }
    }
    r.next_pending_ = nullptr;
    r.registered_at_ = nullptr;
}

void task_promise_base::forget_requests() noexcept {
    cancel_request* r = pending_.load(std::memory_order_relaxed);
    pending_.store(nullptr, std::memory_order_relaxed);
    while (r) {
        r->registered_at_ = nullptr;
        r = std::exchange(r->next_pending_, nullptr);
    }
}

void cancel_request::retry_next_turn() noexcept {
    if (owner && run) owner->defer(*this);
}

void cancel_request::withdraw() noexcept {
    unlink();
    if (registered_at_) registered_at_->remove_request(*this);
    if (callback_) callback_->forget();
}

} // namespace eddy::detail
