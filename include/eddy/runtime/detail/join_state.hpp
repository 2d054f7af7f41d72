// What a spawned task and its `join_handle` share: the outcome, who waits for it, and the
// root coroutine that can be destroyed to abort the task. Both sides live on one core, so
// the reference count is a plain integer.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/misuse.hpp"
#include "eddy/runtime/detail/ready_queue.hpp"
#include "eddy/runtime/detail/report.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

#include <exception>
#include <type_traits>
#include <variant>

namespace eddy::detail {

/// Told, on the task's core, when a spawned task ends (returns, throws, or is aborted): a
/// `task_group` keeps its tasks in the order they end.
class finish_listener {
  public:
    virtual void task_finished() noexcept = 0;

  protected:
    ~finish_listener() = default;
};

template <class T> class join_state {
  public:
    using value_type = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

    explicit join_state(scheduler& owner) noexcept : owner_(&owner) {}

    scheduler& owner() const noexcept { return *owner_; }
    bool finished() const noexcept { return outcome_.index() != 0; }
    bool has_handle() const noexcept { return refs_ == 2; }

    template <class... Args> void set_value(Args&&... args) {
        outcome_.template emplace<1>(std::forward<Args>(args)...);
        finish();
    }
    void set_exception(std::exception_ptr e) noexcept {
        outcome_.template emplace<2>(std::move(e));
        finish();
    }
    void set_canceled() noexcept {
        outcome_.template emplace<3>();
        finish();
    }

    /// The outcome for the joiner: the value, operation_canceled when the task was aborted
    /// or destroyed; rethrows the task's exception.
    result<T> take() {
        if (finished()) taken_ = true;
        if (outcome_.index() == 2) std::rethrow_exception(std::get<2>(outcome_));
        if (outcome_.index() == 3) return errc::operation_canceled;
        if constexpr (std::is_void_v<T>)
            return {};
        else
            return std::move(std::get<1>(outcome_));
    }
    std::exception_ptr exception() const noexcept {
        return outcome_.index() == 2 ? std::get<2>(outcome_) : nullptr;
    }
    /// Marks the outcome as seen without taking it: an exception in it is then not reported
    /// when the handle goes (a `task_group` dropping its members' outcomes).
    void forget_outcome() noexcept { taken_ = true; }

    void set_joiner(ready_node* n) noexcept { joiner_ = n; }
    ready_node* joiner() const noexcept { return joiner_; }
    void set_listener(finish_listener* l) noexcept { listener_ = l; }
    void set_root(root_base* r) noexcept { root_ = r; }
    root_base* root() const noexcept { return root_; }

    /// The root's side lets go.
    void release() noexcept {
        check_owner(*owner_, "a join handle");
        drop_ref();
    }
    /// The handle's side lets go. An exception the task has ended with, never taken, is
    /// reported now: nobody else will see it (one that comes later, the root reports).
    void release_handle() noexcept {
        check_owner(*owner_, "a join handle"); // before the outcome is read
        if (!taken_ && outcome_.index() == 2) report_detached_task_failure(std::get<2>(outcome_));
        drop_ref();
    }

  private:
    void drop_ref() noexcept {
        if (--refs_ == 0) delete this;
    }
    void finish() noexcept {
        root_ = nullptr;
        if (joiner_) owner_->schedule(*std::exchange(joiner_, nullptr));
        if (listener_) listener_->task_finished();
    }

    scheduler* owner_;
    std::variant<std::monostate, value_type, std::exception_ptr, std::monostate> outcome_;
    ready_node* joiner_ = nullptr;
    finish_listener* listener_ = nullptr;
    root_base* root_ = nullptr;
    int refs_ = 2;       // the root coroutine and the join_handle
    bool taken_ = false; // the joiner has had the outcome
};

} // namespace eddy::detail
