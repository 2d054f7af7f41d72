// `yield_now()`: let the other ready tasks of this core run, then continue.
//
//     for (auto& item : big_batch) { work(item); if (++n % 1000 == 0) co_await eddy::yield_now(); }
#pragma once

#include "eddy/runtime/detail/scheduler.hpp"

#include <coroutine>

namespace eddy {

namespace detail {
class yield_awaiter {
  public:
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept {
        node_.handle = h;
        current_scheduler().schedule(node_);
    }
    void await_resume() const noexcept {}

  private:
    ready_node node_; // unlinks itself if the task is destroyed while queued
};
} // namespace detail

/// Requeues the calling task behind every task that is ready now. Cancel-safe.
inline detail::yield_awaiter yield_now() noexcept {
    return {};
}

} // namespace eddy
