// The state of a runtime that its cores share: the schedulers, their threads, the stop flag
// and the blocking pool. `eddy::runtime` is the user-facing handle to it.
#pragma once

#include "eddy/runtime/detail/blocking_pool.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/runtime_options.hpp"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace eddy::detail {

class runtime_core {
  public:
    explicit runtime_core(const runtime_options& opts);
    /// Stops every core, waits for their threads, then destroys what is left on them.
    ~runtime_core();
    runtime_core(const runtime_core&) = delete;
    runtime_core& operator=(const runtime_core&) = delete;

    std::size_t size() const noexcept { return cores_.size(); }
    scheduler& core(std::size_t i) noexcept { return *cores_[i]; }
    blocking_pool& blocking() noexcept { return *pool_; }

    bool stop_requested() const noexcept { return stop_.load(std::memory_order_acquire); }
    /// Asks every core to stop; safe from any thread and from signal-free contexts.
    void request_stop() noexcept;

  private:
    void worker_main(std::size_t index);

    runtime_options opts_;
    std::atomic<bool> stop_{false};
    std::vector<std::unique_ptr<scheduler>> cores_;
    std::unique_ptr<blocking_pool> pool_;
    std::vector<std::thread> threads_;
};

} // namespace eddy::detail
