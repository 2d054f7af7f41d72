// The detached coroutine at the bottom of every spawned task. It awaits the user's task,
// stores the outcome in the `join_state`, and frees its own frame when it ends. It is
// registered with its core, so shutdown (or `abort`) can destroy it while it waits.
#pragma once

#include "eddy/runtime/detail/join_state.hpp"
#include "eddy/runtime/detail/report.hpp"
#include "eddy/runtime/task.hpp"

#include <coroutine>
#include <exception>
#include <utility>

namespace eddy::detail {

class root_task {
  public:
    struct promise_type final : root_base {
        ready_node start;
        // The user's task, for `abort`.
        std::coroutine_handle<> child;
        task_promise_base* child_promise = nullptr;

        root_task get_return_object() noexcept {
            return root_task{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() const noexcept { return {}; }
        std::suspend_never final_suspend() const noexcept { return {}; }
        void return_void() const noexcept {}
        void unhandled_exception() const noexcept { std::terminate(); } // the body catches all
        void destroy_root() noexcept override {
            std::coroutine_handle<promise_type>::from_promise(*this).destroy();
        }
        void abort_root(scheduler& home) noexcept override {
            if (start.linked() || !child_promise) return destroy_root(); // it has not started
            abort_.force = true;
            abort_.owner = &home;
            abort_.run = &retry_abort;
            abort_.root = this;
            if (child_promise->cancel_task(child, abort_)) return destroy_root();
            // Away on another core: retried when it comes back.
            if (!abort_.waiting_for_return()) abort_.retry_next_turn();
        }

      private:
        struct abort_request : cancel_request {
            promise_type* root = nullptr;
        };
        static void retry_abort(deferred_call* d) {
            auto* r = static_cast<abort_request*>(static_cast<cancel_request*>(d));
            r->root->abort_root(*r->owner);
        }
        abort_request abort_;
    };

    std::coroutine_handle<promise_type> handle;
};

/// Ends the join state however the root ends: finished, aborted, or destroyed at shutdown.
template <class T> class root_guard {
  public:
    explicit root_guard(join_state<T>* s) noexcept : state_(s) {}
    root_guard(root_guard&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    root_guard& operator=(root_guard&&) = delete;
    ~root_guard() {
        if (!state_) return;
        if (!state_->finished()) state_->set_canceled();
        if (!state_->has_handle() && state_->exception()) report(state_->exception());
        state_->release();
    }

    join_state<T>* state() const noexcept { return state_; }

  private:
    static void report(std::exception_ptr e) noexcept { report_detached_task_failure(e); }

    join_state<T>* state_;
};

// The guard is a parameter, so the frame holds it from creation: a root destroyed before
// its body ever ran (aborted at once, or left queued at shutdown) still ends its join state.
template <class T> root_task run_root(task<T> t, root_guard<T> guard) {
    join_state<T>* state = guard.state();
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(t);
            state->set_value();
        } else {
            state->set_value(co_await std::move(t));
        }
    } catch (...) {
        state->set_exception(std::current_exception());
    }
}

} // namespace eddy::detail
