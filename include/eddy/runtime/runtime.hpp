// `runtime`: the cores that run eddy tasks. One scheduler per core, each on its own thread
// (core 0 is the thread that calls `block_on` or `run_on_all_cores`); tasks and sockets stay
// on the core that made them.
//
//     eddy::runtime rt{{.cores = 2}};
//     int v = rt.block_on(compute());                     // run one task to completion
//     rt.run_on_all_cores([]() -> eddy::task<> { ... });  // one task per core
//
// `stop()` (from any thread, or via `signal::ctrl_c()`) ends waiting operations with
// `errc::operation_canceled`, gives tasks a moment to finish, and destroys the rest when
// the runtime is destroyed. Nothing is leaked.
#pragma once

#include "eddy/runtime/detail/report.hpp"
#include "eddy/runtime/detail/runtime_core.hpp"
#include "eddy/runtime/runtime_options.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/task.hpp"

#include <atomic>
#include <concepts>
#include <memory>
#include <system_error>

namespace eddy {

/// The cores that run eddy tasks: one scheduler per core, core 0 on the calling thread.
class runtime {
  public:
    /// Makes the cores and starts the threads of cores 1 to n-1 (they wait for work); core 0
    /// runs only inside `block_on` and `run_on_all_cores`. Throws `std::system_error` when
    /// the kernel refuses a core its epoll instance or eventfd.
    explicit runtime(runtime_options opts = {});
    /// Stops every core (as `stop()`), joins their threads, lets core 0's tasks see the stop,
    /// then destroys the tasks left on every core and what was still posted to them.
    ~runtime();
    runtime(const runtime&) = delete;
    runtime& operator=(const runtime&) = delete;

    /// The number of cores (`runtime_options::cores`, or the CPUs counted for 0).
    std::size_t cores() const noexcept { return core_->size(); }

    /// Runs `t` on core 0 (this thread) until it ends, and returns its value or rethrows its
    /// exception. Other tasks on core 0 run meanwhile; they stay (suspended) when it returns.
    /// Throws `std::system_error(operation_canceled)` if the runtime stops first (the task
    /// is aborted) or had stopped before the call (it never runs). Not from inside a task.
    template <class T> T block_on(task<T> t);

    /// Runs `factory()` on every core (each call on its own core, so what it creates belongs
    /// there) and returns when all those tasks have ended or the runtime stops: 0 if every
    /// one ended normally, 1 if one threw (the exception is logged).
    template <class F>
        requires std::invocable<F&>
    int run_on_all_cores(F factory);

    /// Asks every core to stop. Safe from any thread, also from inside a task.
    void stop() noexcept { core_->request_stop(); }
    /// True once `stop()` was called; a stopped runtime stays stopped.
    bool stopped() const noexcept { return core_->stop_requested(); }

  private:
    /// Runs core 0's loop on this thread until `done()` or the runtime stops.
    void drive(const std::function<bool()>& done);

    std::unique_ptr<detail::runtime_core> core_;
};

namespace detail {
// One core's share of run_on_all_cores; everything it uses is a parameter, so it lives in the
// coroutine frame.
template <class F>
task<> run_core_task(F factory, std::shared_ptr<std::atomic<std::size_t>> remaining,
                     std::shared_ptr<std::atomic<bool>> failed) {
    try {
        co_await factory();
    } catch (const std::exception& e) {
        report_core_task_failure(e);
        failed->store(true);
    }
    if (remaining->fetch_sub(1) == 1) current_scheduler().runtime().core(0).wake();
}
} // namespace detail

template <class T> T runtime::block_on(task<T> t) {
    if (stopped())
        throw std::system_error(make_error_code(errc::operation_canceled),
                                "block_on: the runtime stopped");
    auto handle = detail::spawn_on_scheduler(core_->core(0), std::move(t));
    drive([&] { return handle.is_finished(); });
    if (!handle.is_finished()) {
        handle.abort();
        throw std::system_error(make_error_code(errc::operation_canceled),
                                "block_on: the runtime stopped");
    }
    return handle.outcome().value();
}

template <class F>
    requires std::invocable<F&>
int runtime::run_on_all_cores(F factory) {
    // Each core runs its own copy of the factory, so the tasks share nothing by accident.
    const std::size_t n = cores();
    auto remaining = std::make_shared<std::atomic<std::size_t>>(n);
    auto failed = std::make_shared<std::atomic<bool>>(false);
    for (std::size_t i = 1; i < n; ++i)
        detail::post_spawn(core_->core(i),
                           [=] { return detail::run_core_task(factory, remaining, failed); });
    detail::spawn_on_scheduler(core_->core(0), detail::run_core_task(factory, remaining, failed))
        .detach();
    drive([&] { return remaining->load() == 0; });
    return failed->load() ? 1 : 0;
}

} // namespace eddy
