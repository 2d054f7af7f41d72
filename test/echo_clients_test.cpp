// eddy-echo (the seed's split + io::copy) against clients that do not behave like a
// ping-pong: one that reads slowly, one that never reads, ones that reset mid-stream, and
// 2,000 at once. The real binary, over loopback; see echo_process.hpp.
#include "child_process.hpp"
#include "echo_process.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/resource.h>
#include <sys/socket.h>

#include <chrono>
#include <fstream>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::socket_address;
using eddy::net::tcp_stream;
using namespace eddy_test;

namespace {

/// The resident memory of process `pid`, in KiB (VmRSS), or -1.
long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

eddy::task<tcp_stream> connect_to(socket_address addr) {
    co_return expect(co_await eddy::timeout(patience, tcp_stream::connect(addr)), "connect");
}

/// `size` bytes there and back, checked, on a connection of its own.
eddy::task<> echo_once(socket_address addr, std::size_t size, std::uint64_t seed) {
    auto s = co_await connect_to(addr);
    const auto payload = random_bytes(size, seed);
    auto [rd, wr] = s.split();
    scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));
    std::vector<std::byte> back(size);
    auto got = co_await eddy::timeout(patience, receive_exactly(rd, back));
    REQUIRE(got); // all of it, then the end of the stream
    CHECK(difference(back, payload) == "");
}

/// Reads everything `r` sends until its end, `chunk` bytes at a time, pausing after each.
eddy::task<std::vector<std::byte>> read_slowly(tcp_stream::read_half r, std::size_t chunk,
                                               eddy::clock::duration pause) {
    std::vector<std::byte> all;
    std::vector<std::byte> buf(chunk);
    for (;;) {
        auto n = co_await eddy::timeout(patience, r.read(buf));
        REQUIRE(n);
        if (*n == 0) co_return all;
        all.insert(all.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(*n));
        co_await eddy::sleep_for(pause);
    }
}

} // namespace

TEST_CASE("eddy-echo echoes a client that reads much slower than it writes, byte for byte",
          "[integration]") {
    child_process server(echo_command({"--listen", "127.0.0.1:0"}));
    const auto addr = start_echo(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        auto s = co_await connect_to(addr);
        const auto payload = random_bytes(4 << 20, 31);
        auto [rd, wr] = s.split();
        scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));
        // 4 MiB in 16 KiB reads with a pause after each: the server's writes are short and
        // wait, over and over, while the client keeps sending.
        const auto back = co_await read_slowly(rd, 16 * 1024, 2ms);
        CHECK(difference(back, payload) == "");
        const auto sent = co_await joined(writer.handle());
        CHECK(sent);
    }(addr));
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-echo holds a client that never reads in bounded memory and serves the others",
          "[integration]") {
    child_process server(echo_command({"--listen", "127.0.0.1:0"}));
    const auto addr = start_echo(server);
    eddy::runtime rt;
    rt.block_on([](child_process& server, socket_address addr) -> eddy::task<> {
        co_await echo_once(addr, 1024, 1); // the server has done its one-time allocations
        const long before = resident_kib(server.pid());
        REQUIRE(before > 0);

        auto silent = co_await connect_to(addr);
        const auto flood = random_bytes(64 << 20, 32);
        scoped flooding(eddy::spawn(eddy::io::write_all(silent, flood)));
        co_await eddy::sleep_for(300ms);
        CHECK_FALSE(flooding.is_finished()); // every buffer on the way is full: it waits

        // Others are served meanwhile, and the server has not kept what it could not send.
        for (int i = 0; i < 10; ++i)
            co_await echo_once(addr, 64 * 1024, 100 + static_cast<std::uint64_t>(i));
        const long grown = resident_kib(server.pid()) - before;
        INFO("server memory grew by " << grown << " KiB while the client sent without reading");
        CHECK(grown < 16 * 1024); // keeping the flood would be 64 MiB
    }(server, addr));
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-echo goes on serving after clients reset their connections mid-stream",
          "[integration]") {
    child_process server(echo_command({"--listen", "127.0.0.1:0"}));
    const auto addr = start_echo(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        for (int i = 0; i < 20; ++i) {
            auto s = co_await connect_to(addr);
            const auto data = random_bytes(1 << 20, 40 + static_cast<std::uint64_t>(i));
            auto [rd, wr] = s.split();
            scoped writer(eddy::spawn(eddy::io::write_all(wr, data)));
            co_await eddy::sleep_for(5ms); // the echo is under way in both directions
            // SO_LINGER with a zero timeout: closing sends a reset, not an end of stream.
            const linger abort_on_close{.l_onoff = 1, .l_linger = 0};
            REQUIRE(::setsockopt(s.native_handle(), SOL_SOCKET, SO_LINGER, &abort_on_close,
                                 sizeof abort_on_close) == 0);
            writer.handle().abort();
            auto gone = std::move(s); // closed (reset) at the end of this iteration
        }
        co_await echo_once(addr, 256 * 1024, 60);
    }(addr));
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-echo serves 2,000 connections open at once", "[integration]") {
    constexpr int connections = 2000;
    // The client and the server (which inherits the limit) each hold 2,000 sockets.
    rlimit files{};
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &files) == 0);
    if (files.rlim_max < connections + 200) SKIP("the hard limit on open files is too low");
    files.rlim_cur = std::max<rlim_t>(files.rlim_cur, connections + 200);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &files) == 0);

    child_process server(echo_command({"--listen", "127.0.0.1:0", "--threads", "2"}));
    const auto addr = start_echo(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        std::vector<tcp_stream> open;
        open.reserve(connections);
        for (int i = 0; i < connections; ++i)
            open.push_back(co_await connect_to(addr));
        // Every connection is open before any echoes; then all echo at once.
        std::vector<eddy::join_handle<eddy::result<void>>> echoes;
        echoes.reserve(connections);
        const auto payload = random_bytes(512, 70);
        for (auto& s : open) {
            echoes.push_back(eddy::spawn([](tcp_stream& s, const std::vector<std::byte>& payload)
                                             -> eddy::task<eddy::result<void>> {
                if (auto sent = co_await eddy::io::write_all(s, payload); !sent) co_return sent;
                std::vector<std::byte> back(payload.size());
                auto got = co_await eddy::io::read_exact(s, back);
                if (!got) co_return std::move(got).error();
                if (back != payload) co_return eddy::error(eddy::errc::invalid_argument, "differs");
                co_return eddy::ok();
            }(s, payload)));
        }
        std::size_t served = 0;
        const auto deadline = eddy::clock::now() + 120s;
        for (auto& e : echoes) {
            const auto left =
                std::max(deadline - eddy::clock::now(), eddy::clock::duration::zero());
            auto outcome = co_await eddy::timeout(left, join(e));
            if (outcome && *outcome) ++served;
        }
        for (auto& e : echoes)
            e.abort();
        CHECK(served == connections);
    }(addr));
    server.stop_and_expect_clean_exit(SIGTERM);
}
