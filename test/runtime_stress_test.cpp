// A seeded, randomised stress test of the runtime on two cores: tasks that spawn, hop
// between cores, get aborted, time out, close sockets under waiting operations, and exchange
// bytes over loopback, with invariants checked: every byte sent is received exactly once and
// in order (timeouts never drop bytes), every join handle resolves, nothing hangs, every
// frame is freed. It prints its seed; set EDDY_STRESS_SEED to replay one.
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using namespace eddy_test;

namespace {

constexpr int rounds_per_worker = 1000;
constexpr int workers_per_core = 4;

/// Checks from any core (Catch2's assertions are for the main thread only): a failure
/// throws, ends the worker, and is reported by the test with its message.
void ensure(bool ok, const char* what) {
    if (!ok) throw std::runtime_error(std::string("failed: ") + what);
}

struct totals {
    std::atomic<long> rounds{0};
    std::atomic<long> canceled{0};
    std::atomic<long> timed_out{0};
    std::atomic<long> bytes{0};
};

/// FNV-1a over bytes, to compare what was sent with what arrived.
std::uint64_t mix(std::uint64_t h, std::span<const std::byte> bytes) {
    for (std::byte b : bytes)
        h = (h ^ static_cast<std::uint64_t>(b)) * 0x100000001b3ULL;
    return h;
}

eddy::task<int> hop_around(int hops, std::size_t other, frame_counter = {}) {
    const std::size_t home = eddy::current_core();
    for (int i = 0; i < hops; ++i) {
        co_await eddy::on(other);
        co_await eddy::yield_now();
        co_await eddy::on(home);
    }
    co_return hops;
}

eddy::task<int> hop_and_end_away(std::size_t other, eddy::clock::duration nap, frame_counter = {}) {
    co_await eddy::on(other);
    co_await eddy::sleep_for(nap);
    co_return 1;
}

eddy::task<int> nap(eddy::clock::duration d, frame_counter = {}) {
    co_await eddy::sleep_for(d);
    co_return 2;
}

/// Sends `size` seeded bytes in chunks of random sizes, then shuts down; gives their hash.
eddy::task<std::uint64_t> send_all(eddy::net::tcp_stream* s, std::size_t size, std::uint64_t seed) {
    const auto data = random_bytes(size, seed);
    std::mt19937 random(static_cast<unsigned>(seed));
    std::size_t at = 0;
    while (at < data.size()) {
        const std::size_t chunk = std::min<std::size_t>(1 + random() % 9000, data.size() - at);
        auto n = co_await s->write(std::span(data).subspan(at, chunk));
        if (!n) throw std::runtime_error("write: " + n.error().message());
        at += *n;
        if (random() % 4 == 0) co_await eddy::yield_now();
    }
    auto closed = co_await s->shutdown();
    if (!closed) throw std::runtime_error("shutdown: " + closed.error().message());
    co_return mix(0xcbf29ce484222325ULL, data);
}

/// Reads to end of stream through reads wrapped in short random timeouts (retried when they
/// time out); gives the count and the hash of what arrived.
eddy::task<std::pair<std::size_t, std::uint64_t>> receive_all(eddy::net::tcp_stream* s,
                                                              unsigned seed, totals* t) {
    std::mt19937 random(seed);
    std::vector<std::byte> buf(4096);
    std::size_t count = 0;
    std::uint64_t h = 0xcbf29ce484222325ULL;
    auto read_once = [](eddy::net::tcp_stream* s,
                        std::span<std::byte> b) -> eddy::task<std::size_t> {
        auto n = co_await s->read(b);
        if (!n) throw std::runtime_error("read: " + n.error().message());
        co_return *n;
    };
    for (;;) {
        const auto limit = std::chrono::microseconds(random() % 300);
        auto n =
            co_await eddy::timeout(limit, read_once(s, std::span(buf).first(1 + random() % 4096)));
        if (!n) {
            if (n.error() != eddy::errc::timed_out) throw std::runtime_error(n.error().message());
            t->timed_out.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (*n == 0) co_return std::pair{count, h};
        h = mix(h, std::span(buf).first(*n));
        count += *n;
    }
}

eddy::task<> exchange(std::mt19937& random, totals* t) {
    auto [client, server] = co_await connected_pair();
    const std::size_t size = random() % 200'000;
    const std::uint64_t seed = random();
    auto sender = eddy::spawn(send_all(&client, size, seed));
    auto got = co_await receive_all(&server, static_cast<unsigned>(random()), t);
    auto sent = co_await eddy::timeout(patience, join(sender));
    ensure(static_cast<bool>(sent), "the sender finished");
    ensure(got.first == size, "got.first == size");
    ensure(got.second == *sent, "got.second == *sent");
    t->bytes.fetch_add(static_cast<long>(size), std::memory_order_relaxed);
}

eddy::task<> close_under_reader(std::mt19937& random) {
    auto [c, server] = co_await connected_pair();
    std::optional<eddy::net::tcp_stream> client(std::move(c));
    std::vector<std::byte> buf(64);
    auto reader = eddy::spawn(
        [](eddy::net::tcp_stream* s, std::span<std::byte> b) -> eddy::task<std::size_t> {
            auto n = co_await s->read(b);
            co_return n ? *n : 0;
        }(&*client, buf));
    co_await eddy::yield_now(); // the reader starts and waits (reading a closed stream is a bug)
    if (random() % 2) co_await write_text(server, "maybe");
    for (int i = static_cast<int>(random() % 3); i > 0; --i)
        co_await eddy::yield_now();
    client.reset(); // under a waiting or a just completed read
    auto r = co_await eddy::timeout(patience, join(reader));
    ensure(static_cast<bool>(r), "the task resolved in time");
    ensure((*r == 0 || *r == 5), "(*r == 0 || *r == 5)");
}

eddy::task<> worker(unsigned seed, totals* t) {
    std::mt19937 random(seed);
    const std::size_t other = 1 - eddy::current_core();
    for (int round = 0; round < rounds_per_worker; ++round) {
        switch (random() % 6) {
        case 0: { // a task that hops back and forth, joined
            auto h = eddy::spawn(hop_around(static_cast<int>(random() % 4), other));
            auto r = co_await eddy::timeout(patience, join(h));
            ensure(static_cast<bool>(r), "the task resolved in time");
            break;
        }
        case 1: { // aborted at a random point: maybe away, in flight, or waiting here
            auto h = random() % 2
                         ? eddy::spawn(hop_around(1 + static_cast<int>(random() % 3), other))
                         : eddy::spawn(
                               hop_and_end_away(other, std::chrono::microseconds(random() % 500)));
            for (int i = static_cast<int>(random() % 5); i > 0; --i)
                co_await eddy::yield_now();
            h.abort();
            auto r = co_await eddy::timeout(patience, join(h));
            if (!r) {
                ensure(r.error() == eddy::errc::operation_canceled,
                       "r.error() == eddy::errc::operation_canceled");
                t->canceled.fetch_add(1, std::memory_order_relaxed);
            }
            break;
        }
        case 2: { // a timeout around a task that ends on the other core
            auto r = co_await eddy::timeout(
                std::chrono::microseconds(random() % 400),
                hop_and_end_away(other, std::chrono::microseconds(random() % 400)));
            if (!r)
                ensure(r.error() == eddy::errc::timed_out, "r.error() == eddy::errc::timed_out");
            ensure(eddy::current_core() == 1 - other, "eddy::current_core() == 1 - other");
            break;
        }
        case 3: { // a timeout around a local sleep
            auto r = co_await eddy::timeout(std::chrono::microseconds(random() % 300),
                                            nap(std::chrono::microseconds(random() % 300)));
            if (r) ensure(*r == 2, "*r == 2");
            break;
        }
        case 4: co_await exchange(random, t); break;
        case 5: co_await close_under_reader(random); break;
        }
        t->rounds.fetch_add(1, std::memory_order_relaxed);
    }
}

unsigned stress_seed() {
    if (const char* s = std::getenv("EDDY_STRESS_SEED"))
        return static_cast<unsigned>(std::stoul(s));
    return std::random_device{}();
}

} // namespace

TEST_CASE("the runtime keeps its invariants under a random mix of hops, aborts, timeouts, "
          "closes and transfers on two cores",
          "[runtime][stress]") {
    const unsigned seed = stress_seed();
    UNSCOPED_INFO("stress seed " << seed << " (replay with EDDY_STRESS_SEED=" << seed << ")");
    totals t;
    {
        eddy::runtime rt{{.cores = 2}};
        const int status = rt.run_on_all_cores([seed, &t]() -> eddy::task<> {
            std::vector<eddy::join_handle<void>> workers;
            for (int i = 0; i < workers_per_core; ++i)
                workers.push_back(eddy::spawn(
                    worker(seed + static_cast<unsigned>(eddy::current_core() * 100 + i), &t)));
            for (auto& w : workers) {
                auto r = co_await w;
                ensure(static_cast<bool>(r), "a worker was canceled");
            }
        });
        REQUIRE(status == 0);
    }
    CHECK(t.rounds.load() == 2L * workers_per_core * rounds_per_worker);
    std::printf("stress seed %u: %ld rounds, %ld aborted, %ld read timeouts, %ld bytes\n", seed,
                t.rounds.load(), t.canceled.load(), t.timed_out.load(), t.bytes.load());
    CHECK(frame_counter::alive == 0);
}
