// The blocking pool: threads for work that would block a core (DNS, files, user code given
// to `spawn_blocking`). At most `max_threads` run; a thread idle for `keep_alive` exits.
// Cores submit without taking a lock (a lock-free stack); only pool threads share a mutex.
// A finished job is posted back to the core that submitted it, through that core's inbox.
#pragma once

#include "eddy/runtime/detail/inbox.hpp"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

namespace eddy::detail {

class scheduler;

/// A unit of work for the pool. Reference counted: the core's awaiter holds one reference,
/// the pool (then the inbox) the other.
class blocking_job : public inbox_message {
  public:
    explicit blocking_job(scheduler& origin) noexcept : origin_(&origin) {}

    /// Runs on a pool thread.
    virtual void run() noexcept = 0;
    /// Runs on the origin core when the job is done (or dropped at shutdown).
    virtual void completed(bool ran) noexcept = 0;

    void deliver(scheduler&) override;
    void discard() noexcept override;

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }
    /// The awaiter went away; the job is skipped if it has not started.
    void abandon() noexcept { abandoned_.store(true, std::memory_order_release); }
    bool abandoned() const noexcept { return abandoned_.load(std::memory_order_acquire); }

    scheduler& origin() const noexcept { return *origin_; }

    // Used by the pool only.
    void mark_ran() noexcept { ran_ = true; }
    blocking_job*& next_job() noexcept { return next_job_; }

  protected:
    virtual ~blocking_job() = default;

  private:
    scheduler* origin_;
    std::atomic<int> refs_{1};
    std::atomic<bool> abandoned_{false};
    bool ran_ = false;
    blocking_job* next_job_ = nullptr;
};

/// Test seam: where a pool thread is on its way out after keep_alive without work. A test
/// sets the hook to hold a thread at one step while it destroys the pool. Only the
/// idle-exit path reads it, never a job's path.
enum class pool_idle_step {
    timed_out, ///< stopped waiting, still counted live
    rejoining, ///< left the live count, found work, about to count itself in again
    rejoined,  ///< counted in again and back to taking jobs
};
extern std::atomic<void (*)(pool_idle_step)> pool_idle_hook;

class blocking_pool {
  public:
    blocking_pool(std::size_t max_threads, std::chrono::milliseconds keep_alive);
    /// Finishes the jobs that are running, drops the queued ones (posting them back as not
    /// run) and waits for every thread to exit.
    ~blocking_pool();
    blocking_pool(const blocking_pool&) = delete;
    blocking_pool& operator=(const blocking_pool&) = delete;

    /// Queues `job`; never blocks.
    void submit(blocking_job& job);

    struct shared;

  private:
    static void thread_main(std::shared_ptr<shared> s);
    std::shared_ptr<shared> shared_;
};

} // namespace eddy::detail
