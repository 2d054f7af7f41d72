// eddy-fiber-bench: what a fiber's wait costs next to a coroutine's. Both wait on the same
// awaitable, `yield_now()` (suspend, go through the core's run queue, resume), so the
// difference between the two figures is what the fiber adds: two stack switches and its
// host task's resume.
//
//     eddy-fiber-bench [--rounds N] [--runs R]
//
// Prints, for each, nanoseconds per round trip (the median of R runs of N rounds on one
// core, 64 waiters at a time so that the loop's reactor poll between two turns is shared as
// in a busy server), and the cost of spawning and joining an empty fiber.
#include "eddy/eddy.hpp"

#include "../../samples/common/cli.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

double ns_per(clock_type::duration d, std::uint64_t n) {
    return std::chrono::duration<double, std::nano>(d).count() / static_cast<double>(n);
}

eddy::task<double> coroutine_rounds(std::uint64_t n) {
    const auto start = clock_type::now();
    for (std::uint64_t i = 0; i < n; ++i)
        co_await eddy::yield_now();
    co_return ns_per(clock_type::now() - start, n);
}

eddy::task<double> fiber_rounds(std::uint64_t n) {
    auto h = eddy::fiber::spawn([n] {
        const auto start = clock_type::now();
        for (std::uint64_t i = 0; i < n; ++i)
            eddy::fiber::yield();
        return ns_per(clock_type::now() - start, n);
    });
    co_return (co_await h).value();
}

eddy::task<double> fiber_spawns(std::uint64_t n) {
    const auto start = clock_type::now();
    for (std::uint64_t i = 0; i < n; ++i) {
        auto h = eddy::fiber::spawn([] { return 1; });
        (void)co_await h;
    }
    co_return ns_per(clock_type::now() - start, n);
}

template <class Make> double median_of(eddy::runtime& rt, int runs, Make make) {
    std::vector<double> v;
    for (int i = 0; i < runs; ++i)
        v.push_back(rt.block_on(make()));
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"eddy-fiber-bench: the cost of a fiber's wait next to a coroutine's",
                 "eddy-fiber-bench"};
    std::uint64_t rounds = 2'000'000;
    int runs = 5;
    app.add_option("--rounds", rounds, "round trips per run")
        ->check(CLI::Range(std::uint64_t{64}, std::uint64_t{1'000'000'000}));
    app.add_option("--runs", runs, "runs; the median is printed")->check(CLI::Range(1, 100));
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;

    eddy::runtime rt;
    const double coroutine = median_of(rt, runs, [&] { return coroutine_rounds(rounds); });
    const double fiber = median_of(rt, runs, [&] { return fiber_rounds(rounds); });
    const double spawn = median_of(rt, runs, [&] { return fiber_spawns(rounds / 10 + 1); });
    std::printf("coroutine resume (co_await yield_now()): %.1f ns per round trip\n", coroutine);
    std::printf("fiber await (fiber::await(yield_now())): %.1f ns per round trip (+%.1f ns)\n",
                fiber, fiber - coroutine);
    std::printf("fiber spawn and join (empty function): %.1f ns\n", spawn);
    return 0;
}
