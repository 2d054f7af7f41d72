#include "eddy/runtime/detail/runtime_core.hpp"

#include <pthread.h>
#include <sched.h>

#include "eddy/runtime/detail/log.hpp"

#include <csignal>

namespace eddy::detail {

namespace {

std::vector<int> usable_cpus() {
    std::vector<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        for (int i = 0; i < CPU_SETSIZE; ++i)
            if (CPU_ISSET(i, &set)) cpus.push_back(i);
    }
    if (cpus.empty()) cpus.push_back(0);
    return cpus;
}

void pin_to(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (pthread_setaffinity_np(pthread_self(), sizeof set, &set) != 0)
        log().warn("could not pin a core to cpu {}", cpu);
}

} // namespace

runtime_core::runtime_core(const runtime_options& opts)
    : opts_(opts),
      pool_(std::make_unique<blocking_pool>(opts.blocking_threads, opts.blocking_keep_alive)) {
    const auto cpus = usable_cpus();
    const std::size_t n = opts.cores == 0 ? cpus.size() : opts.cores;
    const scheduler_options sched_opts{.coop_budget = opts.coop_budget == 0 ? 1 : opts.coop_budget};
    for (std::size_t i = 0; i < n; ++i)
        cores_.push_back(std::make_unique<scheduler>(i, *this, sched_opts));
    if (opts.pin) pin_to(cpus[0]);

    // Worker threads never take SIGINT/SIGTERM/SIGHUP: the process's default action stays
    // with the calling thread (core 0), and `signal::ctrl_c()` / `signal::hangup()` take
    // them there when asked to.
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    for (std::size_t i = 1; i < n; ++i) {
        threads_.emplace_back([this, i, cpu = cpus[i % cpus.size()]] {
            if (opts_.pin) pin_to(cpu);
            worker_main(i);
        });
    }
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

runtime_core::~runtime_core() {
    request_stop();
    for (auto& t : threads_)
        t.join();
    // Core 0 runs only inside block_on; give its tasks the same chance to see the stop.
    set_current_scheduler(cores_[0].get());
    cores_[0]->run();
    set_current_scheduler(nullptr);

    // Every loop has ended: tear down on this thread alone. Blocking jobs finish first (they
    // post to inboxes), then queued messages go, then the tasks left on each core.
    pool_.reset();
    for (auto& c : cores_)
        c->close_inbox();
    for (auto& c : cores_) {
        set_current_scheduler(c.get());
        c->destroy_roots();
    }
    set_current_scheduler(nullptr);
}

void runtime_core::request_stop() noexcept {
    stop_.store(true, std::memory_order_release);
    for (auto& c : cores_)
        c->wake();
}

void runtime_core::worker_main(std::size_t index) {
    set_current_scheduler(cores_[index].get());
    cores_[index]->run();
    set_current_scheduler(nullptr);
}

} // namespace eddy::detail
