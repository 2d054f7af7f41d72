#include "eddy/runtime/detail/blocking_pool.hpp"

#include "eddy/runtime/detail/scheduler.hpp"

#include <atomic>
#include <condition_variable>
#include <csignal>
#include <deque>
#include <mutex>
#include <pthread.h>
#include <semaphore>
#include <thread>

namespace eddy::detail {

std::atomic<void (*)(pool_idle_step)> pool_idle_hook{nullptr};

void blocking_job::deliver(scheduler&) {
    if (!abandoned()) completed(ran_);
    release();
}

void blocking_job::discard() noexcept {
    release();
}

struct blocking_pool::shared {
    std::size_t max_threads;
    std::chrono::milliseconds keep_alive;

    std::atomic<blocking_job*> incoming{nullptr}; // pushed by cores, lock-free
    std::mutex queue_mutex;                       // taken by pool threads only
    std::deque<blocking_job*> queue;
    std::counting_semaphore<> work{0}; // one release per submitted job

    std::atomic<std::size_t> live{0};
    std::atomic<std::size_t> idle{0};
    std::atomic<bool> closing{false};

    std::mutex exit_mutex;
    std::condition_variable exited;

    bool has_pending() {
        if (incoming.load() != nullptr) return true;
        std::lock_guard lock(queue_mutex);
        return !queue.empty();
    }

    blocking_job* take() {
        std::lock_guard lock(queue_mutex);
        blocking_job* newest = incoming.exchange(nullptr);
        std::deque<blocking_job*> batch;
        for (; newest; newest = newest->next_job())
            batch.push_front(newest);
        queue.insert(queue.end(), batch.begin(), batch.end());
        if (queue.empty()) return nullptr;
        blocking_job* job = queue.front();
        queue.pop_front();
        return job;
    }

    void thread_exit() {
        std::lock_guard lock(exit_mutex);
        live.fetch_sub(1);
        exited.notify_all();
    }
};

namespace {

void at_idle_step(pool_idle_step step) {
    if (auto hook = pool_idle_hook.load()) hook(step);
}

void block_async_signals() {
    // Pool threads never take SIGINT/SIGTERM: those go to the runtime's own signal handling.
    sigset_t set;
    sigfillset(&set);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

} // namespace

blocking_pool::blocking_pool(std::size_t max_threads, std::chrono::milliseconds keep_alive)
    : shared_(std::make_shared<shared>()) {
    shared_->max_threads = max_threads == 0 ? 1 : max_threads;
    shared_->keep_alive = keep_alive;
}

// Why destruction is safe, exit by exit:
// - A thread running a job counts as live, so the destructor waits for it. It posts the
//   job back (the runtime destroys the pool before it empties the cores' inboxes), then
//   takes one of the permits released below and leaves when it finds no job. Queued jobs
//   have a permit each, and the destructor adds max_threads more, so every live thread
//   wakes up.
// - An idle thread that times out and leaves touches only `shared`, which it co-owns.
// - An idle thread that times out, finds work and rejoins checks `closing` again after it
//   counts itself in. `closing` goes up before `live` is read below, so either the
//   destructor waits for that thread or the thread leaves the queue to the drain.
// - No submit races destruction: only cores submit, and the runtime joins every core's
//   loop before it destroys the pool. A job submitted after the drain would never be posted
//   back.
blocking_pool::~blocking_pool() {
    shared_->closing.store(true);
    shared_->work.release(static_cast<std::ptrdiff_t>(shared_->max_threads));
    std::unique_lock lock(shared_->exit_mutex);
    shared_->exited.wait(lock, [&] { return shared_->live.load() == 0; });
    // Jobs submitted after the last thread left are posted back as not run.
    while (blocking_job* job = shared_->take())
        job->origin().post(*job);
}

void blocking_pool::submit(blocking_job& job) {
    job.add_ref(); // the pool's reference, handed on to the origin's inbox
    blocking_job* head = shared_->incoming.load();
    do {
        job.next_job() = head;
    } while (!shared_->incoming.compare_exchange_weak(head, &job));

    if (shared_->idle.load() == 0) {
        std::size_t live = shared_->live.load();
        while (live < shared_->max_threads &&
               !shared_->live.compare_exchange_weak(live, live + 1)) {
        }
        if (live < shared_->max_threads) std::thread(thread_main, shared_).detach();
    }
    shared_->work.release();
}

void blocking_pool::thread_main(std::shared_ptr<shared> s) {
    block_async_signals();
    for (;;) {
        s->idle.fetch_add(1);
        bool got = s->work.try_acquire_for(s->keep_alive);
        s->idle.fetch_sub(1);
        if (!got) {
            // Idle for keep_alive: leave, unless a job slipped in while we were deciding.
            at_idle_step(pool_idle_step::timed_out);
            s->live.fetch_sub(1);
            if (s->closing.load() || !s->has_pending()) {
                std::lock_guard lock(s->exit_mutex);
                s->exited.notify_all();
                return;
            }
            // Count ourselves in again, then look at `closing` once more: the destructor sets
            // it before it reads `live`, so either it sees us and waits for us, or we see it
            // and leave the queue to its drain. Rejoining without this check could let the
            // destructor return (no thread live) while we go on to take a job and post it to
            // a core that is being torn down.
            at_idle_step(pool_idle_step::rejoining);
            s->live.fetch_add(1);
            if (s->closing.load()) {
                s->thread_exit();
                return;
            }
            at_idle_step(pool_idle_step::rejoined);
            continue;
        }
        blocking_job* job = s->take();
        if (!job) {
            if (s->closing.load()) {
                s->thread_exit();
                return;
            }
            continue;
        }
        if (!s->closing.load() && !job->abandoned()) {
            job->run();
            job->mark_ran();
        }
        job->origin().post(*job);
    }
}

} // namespace eddy::detail
