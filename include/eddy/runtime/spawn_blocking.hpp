// `spawn_blocking(f)`: run blocking code (a DNS lookup, a file read, a slow library call)
// on the runtime's blocking pool instead of a core, and await its result.
//
//     auto read_it = [path] { return slurp(path); };
//     auto text = co_await eddy::spawn_blocking(read_it);
//
// Name the function (as above) rather than writing a capturing lambda inside the
// `co_await` expression: g++ 12 destroys the captures of such a temporary lambda twice.
// `f` runs on another thread: it must not touch the calling core's sockets or tasks. Its
// exception is rethrown to the awaiter. Cancel-safe in that the awaiter can be destroyed
// (timeout, abort): `f` is then skipped if it has not started, and its result dropped if
// it has.
#pragma once

#include "eddy/runtime/detail/blocking_pool.hpp"
#include "eddy/runtime/detail/runtime_core.hpp"
#include "eddy/runtime/task.hpp"

#include <concepts>
#include <exception>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace eddy {

namespace detail {

template <class F> class blocking_call final : public blocking_job {
  public:
    using value_type = std::invoke_result_t<F&>;
    using stored = std::conditional_t<std::is_void_v<value_type>, std::monostate, value_type>;

    blocking_call(scheduler& origin, F f, ready_node& wake)
        : blocking_job(origin), fn_(std::move(f)), wake_(&wake) {}

    void run() noexcept override {
        try {
            if constexpr (std::is_void_v<value_type>) {
                fn_();
                outcome_.template emplace<1>();
            } else {
                outcome_.template emplace<1>(fn_());
            }
        } catch (...) {
            outcome_.template emplace<2>(std::current_exception());
        }
    }
    void completed(bool) noexcept override { origin().schedule(*wake_); }

    value_type take() {
        if (outcome_.index() == 2) std::rethrow_exception(std::get<2>(outcome_));
        if (outcome_.index() == 0) // the pool closed before it ran
            throw std::system_error(make_error_code(errc::operation_canceled), "spawn_blocking");
        if constexpr (!std::is_void_v<value_type>) return std::move(std::get<1>(outcome_));
    }

  private:
    F fn_;
    ready_node* wake_;
    std::variant<std::monostate, stored, std::exception_ptr> outcome_;
};

template <class F> class blocking_awaiter {
  public:
    explicit blocking_awaiter(F f) : fn_(std::move(f)) {}
    blocking_awaiter(const blocking_awaiter&) = delete;
    blocking_awaiter& operator=(const blocking_awaiter&) = delete;
    ~blocking_awaiter() {
        if (!call_) return;
        call_->abandon();
        call_->release();
    }

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
        auto& sched = current_scheduler();
        node_.handle = h;
        call_ = new blocking_call<F>(sched, std::move(fn_), node_);
        sched.runtime().blocking().submit(*call_);
    }
    auto await_resume() { return call_->take(); }

  private:
    F fn_;
    blocking_call<F>* call_ = nullptr;
    ready_node node_;
};

} // namespace detail

/// Runs `f()` on the blocking pool and gives its result (or rethrows its exception). Throws
/// `std::system_error(operation_canceled)` if the pool shut down before `f` ran. A call still
/// waiting when the runtime stops is not ended with an error: the task awaiting it is
/// destroyed with the runtime. Cancel-safe as the top says.
template <class F>
    requires std::invocable<F&> task<std::invoke_result_t<F&>> spawn_blocking(F f) {
        // A named awaiter, not a temporary: g++ 12 mishandles the lifetime of a temporary
        // awaiter with a destructor inside `co_return co_await` (it is destroyed twice).
        detail::blocking_awaiter<F> awaiter(std::move(f));
        co_return co_await awaiter;
    }

} // namespace eddy
