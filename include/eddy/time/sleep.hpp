// Sleeping: `co_await eddy::sleep_for(100ms)` or `co_await eddy::sleep_until(deadline)`.
//
// Timers belong to the calling core (a binary heap per core; the reactor sleeps until the
// nearest one). Resolution is about a millisecond: a sleep never ends early, and may end a
// little late under load. When the runtime stops, sleeps end at once. Cancel-safe.
#pragma once

#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/detail/timer_heap.hpp"

#include <chrono>
#include <coroutine>

namespace eddy {

using clock = std::chrono::steady_clock;

namespace detail {

class sleep_awaiter : private timer_node {
  public:
    explicit sleep_awaiter(clock::time_point deadline) noexcept : deadline_(deadline) {}
    // Movable until it is awaited (so it can be handed to `timeout`).
    sleep_awaiter(sleep_awaiter&& o) noexcept : timer_node(), deadline_(o.deadline_) {}
    sleep_awaiter& operator=(sleep_awaiter&&) = delete;
    ~sleep_awaiter() {
        if (owner_) owner_->remove_timer(*this);
    }

    bool await_ready() const noexcept { return deadline_ <= clock::now(); }
    bool await_suspend(std::coroutine_handle<> h) {
        owner_ = &current_scheduler();
        if (owner_->stopping()) return false;
        node_.handle = h;
        on_expire = [](timer_node* t) {
            auto* self = static_cast<sleep_awaiter*>(t);
            self->owner_->schedule(self->node_);
        };
        owner_->add_timer(*this, deadline_);
        return true;
    }
    void await_resume() const noexcept {}

    bool cancel() noexcept {
        if (!armed()) return false;
        owner_->remove_timer(*this);
        return true;
    }

  private:
    clock::time_point deadline_;
    scheduler* owner_ = nullptr;
    ready_node node_;
};

} // namespace detail

/// Completes at `deadline` (at once if it has passed).
inline detail::sleep_awaiter sleep_until(clock::time_point deadline) noexcept {
    return detail::sleep_awaiter(deadline);
}

/// Completes after `d` has elapsed.
template <class Rep, class Period>
detail::sleep_awaiter sleep_for(std::chrono::duration<Rep, Period> d) noexcept {
    return detail::sleep_awaiter(clock::now() + std::chrono::ceil<clock::duration>(d));
}

} // namespace eddy
