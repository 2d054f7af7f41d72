// Runs the real eddy-echo binary (its path comes from the EDDY_ECHO environment variable,
// which test/meson.build sets) and talks to it over loopback.
#include "child_process.hpp"
#include "echo_process.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using eddy::net::socket_address;
using eddy::net::tcp_stream;
using namespace eddy_test;

namespace {

/// One client: sends `size` random bytes while it reads the echo, then checks it byte for
/// byte and that the server closes after the client's end of stream.
eddy::task<eddy::result<void>> echo_client(socket_address addr, std::size_t size,
                                           std::uint64_t seed) {
    auto stream = co_await eddy::timeout(patience, tcp_stream::connect(addr));
    if (!stream) co_return std::move(stream).error();
    const auto payload = random_bytes(size, seed);
    auto [rd, wr] = stream->split();
    scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));

    std::vector<std::byte> back(size);
    auto got = co_await eddy::timeout(60s, eddy::io::read_exact(rd, back));
    if (!got)
        co_return eddy::error(got.error().code(), "reading the echo: " + got.error().message());
    if (back != payload)
        co_return eddy::error(eddy::errc::invalid_argument,
                              "the echo of " + std::to_string(size) + " bytes differs");
    auto sent = co_await joined(writer.handle());
    if (!sent) co_return sent;

    std::array<std::byte, 1> extra{};
    auto end = co_await eddy::timeout(patience, rd.read(extra));
    if (!end) co_return std::move(end).error();
    if (*end != 0) co_return eddy::error(eddy::errc::invalid_argument, "more bytes than were sent");
    co_return eddy::ok();
}

struct client_report {
    std::size_t succeeded = 0;
    std::vector<std::string> failures;
};

eddy::task<> count_outcome(eddy::task<eddy::result<void>> client, client_report& report) {
    auto outcome = co_await std::move(client);
    if (outcome)
        ++report.succeeded;
    else
        report.failures.push_back(outcome.error().message());
}

/// Runs `count` echo clients at once, with payload sizes from 1 byte to 256 KiB.
eddy::task<client_report> run_clients(socket_address addr, std::size_t count) {
    client_report report;
    std::mt19937_64 sizes(42);
    std::vector<eddy::join_handle<void>> clients;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t size = i == 0 ? 1 : i == 1 ? 256 * 1024 : 1 + sizes() % (256 * 1024);
        clients.push_back(eddy::spawn(count_outcome(echo_client(addr, size, 1000 + i), report)));
    }
    const auto deadline = eddy::clock::now() + 120s;
    for (auto& c : clients) {
        const auto left = std::max(deadline - eddy::clock::now(), eddy::clock::duration::zero());
        auto joined = co_await eddy::timeout(left, join(c));
        if (!joined)
            report.failures.push_back("a client did not finish: " + joined.error().message());
    }
    for (auto& c : clients)
        c.abort(); // none is left behind with a reference to `report`
    co_return report;
}

/// A listening TCP socket on 127.0.0.1 made without eddy, to hold a port.
class port_holder {
  public:
    port_holder() {
        fd_ = unique_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        REQUIRE(fd_.get() >= 0);
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        REQUIRE(::bind(fd_.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
        REQUIRE(::listen(fd_.get(), 16) == 0);
        socklen_t len = sizeof sin;
        REQUIRE(::getsockname(fd_.get(), reinterpret_cast<sockaddr*>(&sin), &len) == 0);
        port_ = ntohs(sin.sin_port);
    }
    std::uint16_t port() const noexcept { return port_; }

  private:
    unique_fd fd_;
    std::uint16_t port_ = 0;
};

} // namespace

TEST_CASE("eddy-echo echoes 200 concurrent clients and exits 0 on SIGTERM", "[integration]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    child_process server(echo_command({"--listen", "127.0.0.1:0", "--threads", threads}));
    const auto addr = start_echo(server);

    eddy::runtime rt;
    auto report = rt.block_on(run_clients(addr, 200));
    CHECK(report.failures.empty());
    CHECK(report.succeeded == 200);

    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-echo exits 0 on SIGTERM with clients still connected", "[integration]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    child_process server(echo_command({"--listen", "127.0.0.1:0", "--threads", threads}));
    const auto addr = start_echo(server);

    eddy::runtime rt;
    rt.block_on([](child_process& server, socket_address addr) -> eddy::task<> {
        // Idle connections, each proven served by one echo.
        std::vector<tcp_stream> idle;
        for (int i = 0; i < 20; ++i) {
            auto s = (co_await eddy::timeout(patience, tcp_stream::connect(addr))).value();
            auto sent = co_await eddy::io::write_all(s, bytes_of("ping"));
            REQUIRE(sent);
            std::array<std::byte, 4> back{};
            auto echoed = co_await eddy::timeout(patience, eddy::io::read_exact(s, back));
            REQUIRE(echoed);
            idle.push_back(std::move(s));
        }
        // And one that sends without reading, so the server waits in a write to it.
        auto busy = (co_await eddy::timeout(patience, tcp_stream::connect(addr))).value();
        // More than every socket buffer on the way (send and receive, both ends) can hold.
        const auto flood = random_bytes(64 << 20, 7);
        auto [busy_rd, busy_wr] = busy.split();
        scoped flooding(eddy::spawn(eddy::io::write_all(busy_wr, flood)));
        co_await eddy::sleep_for(200ms);
        CHECK_FALSE(flooding.is_finished()); // the server is stuck writing to us

        REQUIRE(::kill(server.pid(), SIGTERM) == 0);
        const auto deadline = eddy::clock::now() + exit_limit;
        std::optional<int> status;
        while (!status && eddy::clock::now() < deadline) {
            status = server.wait_exit(0ms);
            if (!status) co_await eddy::sleep_for(10ms);
        }
        if (!status) FAIL("the server did not exit within the time limit after SIGTERM");
        CHECK(how_it_ended(*status) == "exit code 0");
    }(server, addr));
}

TEST_CASE("eddy-echo exits 0 on a SIGTERM right after it says it is listening", "[integration]") {
    // "listening on" promises that the server is ready, signal handling included. A few
    // starts, because a race would lose only some of them.
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    for (int start = 0; start < 5; ++start) {
        CAPTURE(start);
        child_process server(echo_command({"--listen", "127.0.0.1:0", "--threads", threads}));
        (void)start_echo(server);
        server.stop_and_expect_clean_exit(SIGTERM);
    }
}

TEST_CASE("eddy-echo exits 0 on SIGINT and on SIGHUP", "[integration]") {
    const int sig = GENERATE(SIGINT, SIGHUP);
    const std::string threads = GENERATE("1", "2");
    CAPTURE(sig, threads);
    child_process server(echo_command({"--listen", "127.0.0.1:0", "--threads", threads}));
    const auto addr = start_echo(server);
    eddy::runtime rt;
    auto report = rt.block_on(run_clients(addr, 1)); // served once: the server is up
    CHECK(report.failures.empty());
    server.stop_and_expect_clean_exit(sig);
}

TEST_CASE("eddy-echo rejects bad arguments with one line on stderr", "[integration]") {
    struct bad_case {
        std::vector<std::string> args;
        std::string names; // what the message must mention
    };
    const auto c = GENERATE(values<bad_case>({
        {{"--listen", "nonsense"}, "nonsense"},
        {{"--listen", "127.0.0.1:0", "--threads", "-1"}, "--threads"},
        {{}, "--listen"},
        {{"--listen", "127.0.0.1:99999"}, "127.0.0.1:99999"},
    }));
    const auto args = echo_command(c.args);
    CAPTURE(c.args);

    child_process server(args);
    const std::string err = stderr_of_failed_start(server, "a bad argument");
    INFO("stderr: " << err);
    CHECK(err.ends_with("\n"));
    CHECK_THAT(err, ContainsSubstring(c.names));
    CHECK_FALSE(server.read_stdout_line(0ms).has_value()); // it never said it was listening
}

TEST_CASE("eddy-echo on a port in use exits non-zero with one line naming the address",
          "[integration]") {
    port_holder holder;
    const std::string addr = "127.0.0.1:" + std::to_string(holder.port());
    child_process server(echo_command({"--listen", addr}));
    const std::string err = stderr_of_failed_start(server, "a port in use");
    INFO("stderr: " << err);
    CHECK_THAT(err, ContainsSubstring(addr));
    CHECK_THAT(err, ContainsSubstring("in use"));
}
