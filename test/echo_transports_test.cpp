// Runs the real eddy-echo over UDP (--udp) and a Unix stream socket (--unix), and talks to it
// with eddy's own sockets.
#include "child_process.hpp"
#include "echo_process.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using eddy::net::socket_address;
using eddy::net::udp_socket;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

/// The address eddy-echo printed on its first line.
std::string listening_address(child_process& server) {
    auto line = server.read_stdout_line(startup_limit);
    if (!line) FAIL("eddy-echo printed no line within the time limit");
    INFO("first line: " << *line);
    const std::string prefix = "listening on ";
    REQUIRE(line->starts_with(prefix));
    return line->substr(prefix.size());
}

/// Sends one datagram of each size, one at a time, and checks each echo.
eddy::task<> udp_round_trips(socket_address server, std::vector<std::size_t> sizes,
                             std::uint64_t seed) {
    auto client = udp_socket::bind(server.is_v6() ? "[::1]:0" : "127.0.0.1:0").value();
    std::vector<std::byte> back(65536);
    for (std::size_t size : sizes) {
        CAPTURE(size);
        const auto payload = random_bytes(size, seed + size);
        auto sent = co_await client.send_to(payload, server);
        REQUIRE(sent);
        CHECK(*sent == size);
        auto got = co_await eddy::timeout(patience, client.recv_from(back));
        REQUIRE(got);
        CHECK(got->second == server);
        CHECK(difference(std::span(back).first(got->first), payload).empty());
    }
}

/// One Unix client: sends `size` random bytes while reading the echo, checks it byte for
/// byte, then checks the server closes after our end of stream.
eddy::task<> unix_echo_client(std::string path, std::size_t size, std::uint64_t seed) {
    auto stream = (co_await eddy::timeout(patience, unix_stream::connect(path))).value();
    const auto payload = random_bytes(size, seed);
    auto [rd, wr] = stream.split();
    scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));
    std::vector<std::byte> back(size);
    auto got = co_await eddy::timeout(60s, eddy::io::read_exact(rd, back));
    REQUIRE(got);
    CHECK(difference(back, payload).empty());
    auto sent = co_await joined(writer.handle());
    REQUIRE(sent);
    std::array<std::byte, 1> extra{};
    auto end = co_await eddy::timeout(patience, rd.read(extra));
    REQUIRE(end);
    CHECK(*end == 0);
}

/// Returns once a connection to `path` succeeds: the server listens there.
eddy::task<bool> serving_at(std::string path) {
    const auto deadline = eddy::clock::now() + startup_limit;
    for (;;) {
        auto connected = co_await eddy::timeout(patience, unix_stream::connect(path));
        if (connected) co_return true;
        if (eddy::clock::now() >= deadline) co_return false;
        co_await eddy::sleep_for(10ms); // not bound yet, or bound and not listening yet
    }
}

eddy::task<> unix_clients(std::string path, std::size_t count) {
    std::vector<eddy::join_handle<void>> clients;
    std::mt19937_64 sizes(7);
    for (std::size_t i = 0; i < count; ++i)
        clients.push_back(eddy::spawn(unix_echo_client(path, 1 + sizes() % (256 * 1024), i)));
    for (auto& c : clients)
        (void)co_await eddy::timeout(120s, join(c));
    for (auto& c : clients)
        CHECK(c.is_finished());
}

} // namespace

TEST_CASE("eddy-echo --udp echoes datagrams of 1 to 65,507 bytes and exits 0 on SIGTERM",
          "[integration][udp]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    child_process server(echo_command({"--udp", "--listen", "127.0.0.1:0", "--threads", threads}));
    const auto addr = socket_address::parse(listening_address(server)).value();
    CHECK(addr.port() != 0);

    eddy::runtime rt;
    rt.block_on(udp_round_trips(addr, {1, 2, 100, 1472, 1473, 9000, 32768, 65507}, 1));
    // Several senders: each gets its own echoes back.
    rt.block_on([](socket_address addr) -> eddy::task<> {
        std::vector<eddy::join_handle<void>> clients;
        for (std::uint64_t i = 0; i < 5; ++i)
            clients.push_back(eddy::spawn(udp_round_trips(addr, {10, 500, 4000}, 100 * i)));
        for (auto& c : clients) {
            auto done = co_await eddy::timeout(60s, join(c));
            REQUIRE(done);
        }
    }(addr));

    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-echo --unix echoes concurrent clients and removes its socket file on SIGTERM",
          "[integration][unix]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    temp_socket_path path;
    child_process server(echo_command({"--unix", path.string(), "--threads", threads}));
    CHECK(listening_address(server) == path.string());
    CHECK(std::filesystem::is_socket(path.path()));

    eddy::runtime rt;
    rt.block_on(unix_clients(path.string(), 50));

    server.stop_and_expect_clean_exit(SIGTERM);
    CHECK_FALSE(std::filesystem::exists(path.path()));
}

TEST_CASE("eddy-echo --unix outlives a stdout nobody reads, and on SIGHUP exits 0 and removes "
          "its socket file",
          "[integration][unix]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    temp_socket_path path;
    child_process server(
        echo_command({"--unix", path.string(), "--threads", threads}),
        child_stdio{.stdin_path = "/dev/null", .stdout_path = {}, .stdout_reader_gone = true});
    // It writes "listening on" to the pipe nobody reads (SIGPIPE, unless ignored) before it
    // serves: echoes prove it lived through that.
    eddy::runtime rt;
    const bool serving = rt.block_on(serving_at(path.string()));
    if (!serving) FAIL("eddy-echo does not serve at " << path.string() << " in time");
    rt.block_on(unix_clients(path.string(), 3));

    server.stop_and_expect_clean_exit(SIGHUP);
    CHECK_FALSE(std::filesystem::exists(path.path()));
}

TEST_CASE("eddy-echo --unix serves on an abstract name", "[integration][unix]") {
    const std::string name = "@eddy-echo-test-" + std::to_string(::getpid());
    child_process server(echo_command({"--unix", name}));
    CHECK(listening_address(server) == name);
    eddy::runtime rt;
    rt.block_on(unix_clients(name, 5));
    server.stop_and_expect_clean_exit(SIGINT);
}

TEST_CASE("eddy-echo --unix on a path that exists fails naming it and leaves the file",
          "[integration][unix]") {
    temp_socket_path path;
    std::ofstream(path.path()) << "not a socket";
    child_process server(echo_command({"--unix", path.string()}));
    const std::string err = stderr_of_failed_start(server, "a path that exists");
    INFO("stderr: " << err);
    CHECK_THAT(err, ContainsSubstring(path.string()));
    CHECK_THAT(err, ContainsSubstring("in use"));
    CHECK(std::filesystem::is_regular_file(path.path()));
}

TEST_CASE("eddy-echo rejects transports given together, with one line on stderr", "[integration]") {
    const auto args = GENERATE(values<std::vector<std::string>>({
        {"--unix", "/tmp/x.sock", "--listen", "127.0.0.1:0"},
        {"--unix", "/tmp/x.sock", "--udp"},
        {"--udp"},
        {"--udp", "--fibers", "--listen", "127.0.0.1:0"},
    }));
    CAPTURE(args);
    std::vector<std::string> argv{echo_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process server(argv);
    const std::string err = stderr_of_failed_start(server, "a bad argument");
    CHECK(err.starts_with("eddy-echo: "));
}
