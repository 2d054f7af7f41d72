// What `when_all`, `try_when_all` and `when_any` share: child tasks that run at once on the
// calling core while their parent waits, and are all ended (finished, or cancelled and
// destroyed) before the parent goes on.
//
// Each child runs inside a runner, a `task<>` that awaits it, stores its outcome where the
// parent reads it, and then tells the group. The first child whose end decides the wait (a
// failure, or for `when_any` any end) makes the group cancel the others; one that cannot be
// withdrawn at once (its result is queued, or it is on another core) is retried, next turn or
// when it comes back, and waited for. The parent resumes once no child is left.
//
// A cancellation of the parent (a timeout, an abort) goes to every child that is left. It
// succeeds once all of them are gone; until then the parent stays suspended, and the
// canceller retries as the cancellation protocol says (cancellation.hpp).
#pragma once

#include "eddy/runtime/detail/cancellation.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"
#include "eddy/runtime/task.hpp"

#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace eddy::detail {

class scheduler;

/// Which child's end decides the wait (and cancels the rest).
enum class decided_by : std::uint8_t {
    exception,          ///< when_all: a child that throws
    exception_or_error, ///< try_when_all: a child that throws or returns an error
    any_end,            ///< when_any: the first child to end
};

/// How a child ended, as its runner reports it.
enum class child_end : std::uint8_t { value, error, exception };

class child_group {
  public:
    static constexpr std::size_t none = static_cast<std::size_t>(-1);

    child_group(std::size_t count, decided_by rule);
    ~child_group();
    child_group(const child_group&) = delete;
    child_group& operator=(const child_group&) = delete;

    std::size_t size() const noexcept { return count_; }
    /// Sets the runner of child `i` (before the parent waits).
    void set_runner(std::size_t i, task<> runner) noexcept;
    /// Called by child `i`'s runner, on the parent's core, once its outcome is stored.
    void child_ended(std::size_t i, child_end how) noexcept;
    /// The child whose end decided the wait, or `none` when every child ended on its own.
    std::size_t decider() const noexcept { return decider_; }

    /// Awaited by the parent: starts the children and resumes once none is left.
    class wait_awaiter {
      public:
        explicit wait_awaiter(child_group& g) noexcept : group_(&g) {}
        bool await_ready() const noexcept { return group_->count_ == 0; }
        bool await_suspend(std::coroutine_handle<> parent) noexcept {
            return group_->start(parent);
        }
        void await_resume() noexcept { group_->free_runners(); }
        bool cancel(cancel_request& r) noexcept { return group_->cancel(r); }

      private:
        child_group* group_;
    };
    wait_awaiter wait() noexcept { return wait_awaiter(*this); }

  private:
    // The group's own request to withdraw one child, retried until the child is gone.
    struct withdraw_request : cancel_request {
        child_group* group = nullptr;
        std::size_t index = 0;
    };
    struct child {
        task<> runner;
        withdraw_request request;
        bool ended = false;
    };

    bool start(std::coroutine_handle<> parent) noexcept;
    bool cancel(cancel_request& r) noexcept;
    void cancel_the_rest() noexcept;
    void withdraw(std::size_t i) noexcept;
    bool try_cancel(child& c, cancel_request& r) noexcept;
    void mark_ended(child& c) noexcept;
    void resume_parent_if_done() noexcept;
    void free_runners() noexcept;
    static void retry_withdraw(deferred_call* d) noexcept;

    std::unique_ptr<child[]> children_;
    std::size_t count_;
    std::size_t left_;
    std::size_t decider_ = none;
    decided_by rule_;
    scheduler* home_ = nullptr;
    ready_node parent_;
    bool starting_ = false;  // inside start(): the parent is resumed by its return value
    bool abandoned_ = false; // a cancellation withdrew an undecided child: no outcome
    bool queued_ = false;    // the parent is scheduled to resume with the outcome
};

} // namespace eddy::detail
