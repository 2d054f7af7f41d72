// What an idle `io::copy` between two sockets costs: no buffer while it waits for data. This
// executable replaces the global operator new and delete to count the bytes alive.
#include "test_case.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include <malloc.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace {
std::atomic<long> live_bytes{0};
} // namespace

void* operator new(std::size_t size) {
    void* p = std::malloc(size == 0 ? 1 : size);
    if (!p) throw std::bad_alloc();
    live_bytes.fetch_add(static_cast<long>(::malloc_usable_size(p)));
    return p;
}
void operator delete(void* p) noexcept {
    if (!p) return;
    live_bytes.fetch_sub(static_cast<long>(::malloc_usable_size(p)));
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    operator delete(p);
}

using eddy::net::tcp_stream;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

template <class S> eddy::task<> echo(S s) {
    auto [rd, wr] = s.split();
    (void)co_await eddy::io::copy(rd, wr);
}

/// One byte there and back: the echo has run, and waits again.
template <class S> eddy::task<> ping(S& client) {
    co_await write_text(client, "x");
    const auto back = co_await read_text(client, 1);
    CHECK(back == "x");
}

} // namespace

EDDY_TEMPLATE_TEST_CASE("a copy waiting between two sockets holds no buffer", "[io][memory]",
                        tcp_stream, unix_stream) {
    constexpr int copies = 50;
    std::vector<TestType> clients;
    std::vector<TestType> servers;
    std::vector<eddy::join_handle<void>> echoes;
    clients.reserve(copies);
    servers.reserve(copies);
    echoes.reserve(copies + 1);
    for (int i = 0; i < copies + 1; ++i) {
        auto [client, server] = co_await stream_pair<TestType>();
        clients.push_back(std::move(client));
        servers.push_back(std::move(server));
    }
    // A first echo makes what a core allocates once (its scratch buffer).
    echoes.push_back(eddy::spawn(echo(std::move(servers[copies]))));
    co_await ping(clients[copies]);

    const long before = live_bytes.load();
    for (int i = 0; i < copies; ++i)
        echoes.push_back(eddy::spawn(echo(std::move(servers[static_cast<std::size_t>(i)]))));
    for (int i = 0; i < copies; ++i)
        co_await ping(clients[static_cast<std::size_t>(i)]);
    const long per_copy = (live_bytes.load() - before) / copies;

    INFO("bytes alive per waiting echo (its tasks, their frames, nothing else): " << per_copy);
    CHECK(per_copy > 0);
    CHECK(per_copy < 2048); // a copy holding its own 16 KiB buffer would be over 16,384
    for (auto& e : echoes)
        e.abort();
}
