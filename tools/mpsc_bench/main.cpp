// eddy-mpsc-bench: messages per second and CPU per message of eddy::sync::mpsc, with the
// sender on the receiver's core and on another core, bounded and unbounded.
//
//     eddy-mpsc-bench [--messages N] [--capacity C]
//
// One task sends N 8-byte values as fast as the channel takes them; the receiver on core 0
// takes them with `recv`. CPU is the whole process's (every core's thread), from
// getrusage, so a cross-core run also pays for waking the other core. Prints one line per
// case.
#include "eddy/eddy.hpp"

#include "../../samples/common/cli.hpp"

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

namespace {

namespace mpsc = eddy::sync::mpsc;

double cpu_seconds() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    auto secs = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return secs(u.ru_utime) + secs(u.ru_stime);
}

template <class Sender> eddy::task<> produce(Sender tx, std::size_t core, std::uint64_t n) {
    co_await eddy::on(core);
    for (std::uint64_t i = 0; i < n; ++i) {
        if constexpr (std::is_same_v<Sender, mpsc::sender<std::uint64_t>>) {
            auto sent = co_await tx.send(i);
            if (!sent) throw std::runtime_error("send: " + sent.error().message());
        } else {
            if (!tx.send(i)) throw std::runtime_error("send: receiver gone");
        }
    }
}

eddy::task<std::uint64_t> consume(mpsc::receiver<std::uint64_t>& rx) {
    std::uint64_t sum = 0;
    while (auto v = co_await rx.recv())
        sum += *v;
    co_return sum;
}

struct figures {
    double seconds, cpu;
};

template <class Make>
eddy::task<figures> run_case(Make make, std::size_t sender_core, std::uint64_t n) {
    auto [tx, rx] = make();
    const auto start = std::chrono::steady_clock::now();
    const double cpu_start = cpu_seconds();
    auto producer = eddy::spawn(produce(std::move(tx), sender_core, n));
    const auto sum = co_await consume(rx);
    (void)co_await producer;
    const double cpu = cpu_seconds() - cpu_start;
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    if (sum != n * (n - 1) / 2) throw std::runtime_error("values lost or changed");
    co_return figures{wall.count(), cpu};
}

void print(const char* name, std::uint64_t n, figures f) {
    std::printf("%-28s %10.0f msg/s  %7.1f ns CPU/msg  (%llu messages, %.3f s)\n", name,
                double(n) / f.seconds, f.cpu / double(n) * 1e9, static_cast<unsigned long long>(n),
                f.seconds);
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"messages per second and CPU per message of eddy's mpsc channel",
                 "eddy-mpsc-bench"};
    std::uint64_t n = 2'000'000;
    std::size_t capacity = 1024;
    app.add_option("--messages", n, "messages per case")->check(CLI::Range(1, 1'000'000'000));
    app.add_option("--capacity", capacity, "capacity of the bounded channel")
        ->check(CLI::Range(1, 100'000'000));
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;

    auto bounded = [capacity] { return mpsc::channel<std::uint64_t>(capacity); };
    auto unbounded = [] { return mpsc::unbounded_channel<std::uint64_t>(); };
    {
        eddy::runtime rt{{.cores = 1}};
        print("same core, unbounded", n, rt.block_on(run_case(unbounded, 0, n)));
        print("same core, bounded", n, rt.block_on(run_case(bounded, 0, n)));
    }
    {
        eddy::runtime rt{{.cores = 2}};
        print("cross core, unbounded", n, rt.block_on(run_case(unbounded, 1, n)));
        print("cross core, bounded", n, rt.block_on(run_case(bounded, 1, n)));
    }
    return 0;
}
