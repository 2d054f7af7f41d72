// eddy-timer-lateness: how late a 1 ms timer fires on a core that also serves a connection
// that always has data. It measures the scheduler's fairness: a task whose reads always
// complete at once must not hold the core's timers back.
//
//     eddy-timer-lateness [--sleeps N] [--period-us U]
//
// Core 1 connects over 127.0.0.1 and writes without pause; core 0 reads that connection in
// a loop and, on the same core, sleeps `--period-us` N times, recording how late each sleep
// ends. Prints the median, p99 and worst lateness, and the bytes read meanwhile (so a run
// where the reader starved is visible too).
#include "eddy/eddy.hpp"

#include "../../samples/common/cli.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {

using namespace std::chrono_literals;
using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

struct shared_state {
    std::atomic<bool> done{false}; // read by core 1
    std::uint64_t bytes_read = 0;  // core 0 only
};

eddy::task<> flood(eddy::net::socket_address to, shared_state* state) {
    auto s = co_await tcp_stream::connect(to);
    if (!s) co_return;
    std::array<std::byte, 16 * 1024> chunk{};
    while (!state->done.load(std::memory_order_relaxed)) {
        auto n = co_await s->write(chunk);
        if (!n) co_return;
    }
}

eddy::task<> drain(tcp_stream s, shared_state* state) {
    std::array<std::byte, 16 * 1024> buf{};
    for (;;) {
        auto n = co_await s.read(buf);
        if (!n || *n == 0) break;
        state->bytes_read += *n;
    }
}

eddy::task<std::vector<double>> measure(int sleeps, std::chrono::microseconds period) {
    std::vector<double> late_us;
    late_us.reserve(static_cast<std::size_t>(sleeps));
    for (int i = 0; i < sleeps; ++i) {
        const auto deadline = eddy::clock::now() + period;
        co_await eddy::sleep_until(deadline);
        const auto late = eddy::clock::now() - deadline;
        late_us.push_back(std::chrono::duration<double, std::micro>(late).count());
    }
    co_return late_us;
}

eddy::task<std::vector<double>> run(int sleeps, std::chrono::microseconds period,
                                    shared_state* state) {
    auto listener = tcp_listener::bind("127.0.0.1:0").value();
    eddy::spawn_on(1, flood(listener.local_addr().value(), state));
    auto conn = co_await listener.accept();
    if (!conn) throw std::runtime_error("accept: " + conn.error().message());
    auto reader = eddy::spawn(drain(std::move(*conn), state));
    co_await eddy::sleep_for(100ms); // the flood is under way
    auto late = co_await measure(sleeps, period);
    state->done.store(true);
    reader.abort();
    co_return late;
}

double percentile(const std::vector<double>& sorted, double p) {
    const auto i = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
    return sorted[i];
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"timer lateness on a core that serves a connection that always has data",
                 "eddy-timer-lateness"};
    int sleeps = 2000;
    int period_us = 1000;
    app.add_option("--sleeps", sleeps, "number of sleeps measured")
        ->check(CLI::Range(1, 10'000'000));
    app.add_option("--period-us", period_us, "length of each sleep, microseconds")
        ->check(CLI::Range(1, 10'000'000));
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;

    shared_state state;
    eddy::runtime rt{{.cores = 2}};
    auto late = rt.block_on(run(sleeps, std::chrono::microseconds(period_us), &state));
    rt.stop();
    std::sort(late.begin(), late.end());
    std::printf("lateness of %d sleeps of %d us on a core reading a flooded connection "
                "(%llu bytes read meanwhile): median %.0f us, p99 %.0f us, worst %.0f us\n",
                sleeps, period_us, static_cast<unsigned long long>(state.bytes_read),
                percentile(late, 0.5), percentile(late, 0.99), late.back());
    return 0;
}
