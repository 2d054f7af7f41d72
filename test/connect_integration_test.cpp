// Runs the real eddy-connect against the real eddy-echo: a file goes through the echo server
// and comes back out of eddy-connect's stdout unchanged, over TCP, a Unix socket and UDP.
#include "child_process.hpp"
#include "fs_test_support.hpp"
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using namespace eddy_test;

namespace {

std::string binary(const char* variable) {
    const char* path = std::getenv(variable);
    if (!path || !*path) FAIL(variable << " is not set: run this test through meson test");
    return path;
}

std::string listening_address(child_process& server) {
    auto line = server.read_stdout_line(startup_limit);
    if (!line) FAIL("eddy-echo printed no line within the time limit");
    const std::string prefix = "listening on ";
    REQUIRE(line->starts_with(prefix));
    return line->substr(prefix.size());
}

/// Runs eddy-connect with `args`, stdin from `input` and stdout to `output`; checks it exits
/// 0 in time and that the output is the input.
void pipe_file_through(const std::vector<std::string>& args, std::size_t size) {
    temp_dir dir;
    const auto input = dir / "input", output = dir / "output";
    const auto data = random_bytes(size, size);
    put_file(input, data);
    std::vector<std::string> argv{binary("EDDY_CONNECT")};
    argv.insert(argv.end(), args.begin(), args.end());
    child_process client(argv,
                         child_stdio{.stdin_path = input.string(), .stdout_path = output.string()});
    auto status = client.wait_exit(120s);
    if (!status) FAIL("eddy-connect did not exit within the time limit");
    INFO("stderr: " << client.read_stderr_to_end(1s));
    CHECK(how_it_ended(*status) == "exit code 0");
    const auto out = file_text(output);
    CHECK(difference(std::as_bytes(std::span(out)), data).empty());
}

} // namespace

TEST_CASE("eddy-connect pipes a file through eddy-echo over TCP", "[integration][connect]") {
    child_process server({binary("EDDY_ECHO"), "--listen", "127.0.0.1:0"});
    const auto addr = listening_address(server);
    pipe_file_through({addr}, 8 << 20);
    pipe_file_through({addr}, 0); // an empty file: just the half-close and the close
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-connect pipes a file through eddy-echo over a Unix socket",
          "[integration][connect]") {
    temp_socket_path socket_path;
    child_process server({binary("EDDY_ECHO"), "--unix", socket_path.string()});
    REQUIRE(listening_address(server) == socket_path.string());
    pipe_file_through({"--unix", socket_path.string()}, 8 << 20);
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-connect --udp sends a file as a datagram and prints the echo",
          "[integration][connect]") {
    child_process server({binary("EDDY_ECHO"), "--udp", "--listen", "127.0.0.1:0"});
    const auto addr = listening_address(server);
    // Stdin is a file: one read of up to 64 KiB, so one datagram.
    pipe_file_through({addr, "--udp", "--wait", "0.5"}, 20000);
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-connect writes lines back to a pipe as the server echoes them",
          "[integration][connect]") {
    child_process server({binary("EDDY_ECHO"), "--listen", "127.0.0.1:0"});
    const auto addr = listening_address(server);
    temp_dir dir;
    put_file(dir / "lines", bytes_of("first line\nsecond line\n"));
    child_process client({binary("EDDY_CONNECT"), addr},
                         child_stdio{.stdin_path = (dir / "lines").string(), .stdout_path = {}});
    CHECK(client.read_stdout_line(patience) == "first line");
    CHECK(client.read_stdout_line(patience) == "second line");
    auto status = client.wait_exit(patience);
    REQUIRE(status);
    CHECK(how_it_ended(*status) == "exit code 0");
    server.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-connect to a port nobody listens on exits 1 naming the address",
          "[integration][connect]") {
    // Bind a port and close it again: nobody listens there now.
    eddy::runtime rt;
    const std::string addr = rt.block_on([]() -> eddy::task<std::string> {
        auto l = eddy::net::tcp_listener::bind("127.0.0.1:0").value();
        co_return l.local_addr().value().to_string();
    }());
    child_process client({binary("EDDY_CONNECT"), addr});
    auto status = client.wait_exit(patience);
    REQUIRE(status);
    CHECK(how_it_ended(*status) == "exit code 1");
    const auto err = client.read_stderr_to_end(1s);
    CHECK(count_lines(err) == 1);
    CHECK_THAT(err, ContainsSubstring("eddy-connect: cannot connect"));
    CHECK_THAT(err, ContainsSubstring(addr));
}

TEST_CASE("eddy-connect --udp to a port nobody listens on exits 1 naming the address",
          "[integration][connect]") {
    // A bound and closed UDP port: the kernel answers datagrams to it with "port unreachable".
    eddy::runtime rt;
    const std::string addr = rt.block_on([]() -> eddy::task<std::string> {
        auto s = eddy::net::udp_socket::bind("127.0.0.1:0").value();
        co_return s.local_addr().value().to_string();
    }());
    temp_dir dir;
    put_file(dir / "in", bytes_of("anyone there?\n"));
    child_process client({binary("EDDY_CONNECT"), "--udp", addr},
                         child_stdio{.stdin_path = (dir / "in").string(), .stdout_path = {}});
    auto status = client.wait_exit(patience);
    REQUIRE(status);
    CHECK(how_it_ended(*status) == "exit code 1");
    const auto err = client.read_stderr_to_end(1s);
    CHECK(count_lines(err) == 1);
    CHECK_THAT(err, ContainsSubstring("connection refused"));
    CHECK_THAT(err, ContainsSubstring(addr));
}

TEST_CASE("eddy-connect rejects bad arguments with one line on stderr", "[integration][connect]") {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {}, {"127.0.0.1:1", "--unix", "/tmp/x.sock"}, {"--unix", "/tmp/x.sock", "--udp"}}) {
        CAPTURE(args);
        std::vector<std::string> argv{binary("EDDY_CONNECT")};
        argv.insert(argv.end(), args.begin(), args.end());
        child_process client(argv);
        const auto err = stderr_of_failed_start(client, "a bad argument");
        CHECK(err.starts_with("eddy-connect: "));
    }
}

TEST_CASE("eddy-connect refuses a --wait that is not seconds from more than 0 to 3600",
          "[integration][connect]") {
    for (const std::string wait :
         {"nan", "-nan", "inf", "-inf", "-1", "0", "-0", "1e400", "3601", "1s", ""}) {
        CAPTURE(wait);
        child_process client({binary("EDDY_CONNECT"), "--udp", "127.0.0.1:9", "--wait", wait});
        const auto err = stderr_of_failed_start(client, "a bad --wait");
        CHECK(err.starts_with("eddy-connect: "));
        CHECK_THAT(err, ContainsSubstring("--wait"));
    }
}

TEST_CASE("eddy-connect exits 1 with one line when stdin is a directory or closed",
          "[integration][connect]") {
    child_process tcp_server({binary("EDDY_ECHO"), "--listen", "127.0.0.1:0"});
    const auto tcp_addr = listening_address(tcp_server);
    child_process udp_server({binary("EDDY_ECHO"), "--udp", "--listen", "127.0.0.1:0"});
    const auto udp_addr = listening_address(udp_server);
    temp_dir dir;
    struct unreadable {
        std::string stdin_path; // empty: fd 0 closed
        std::string says;
    };
    for (const auto& in :
         {unreadable{dir.path().string(), "is a directory"}, unreadable{"", "fd 0 is closed"}}) {
        for (const auto& args : std::vector<std::vector<std::string>>{
                 {tcp_addr}, {"--udp", "--wait", "30", udp_addr}}) {
            CAPTURE(in.says, args);
            std::vector<std::string> argv{binary("EDDY_CONNECT")};
            argv.insert(argv.end(), args.begin(), args.end());
            // A live server each time: only stdin can end the session.
            child_process client(argv, child_stdio{.stdin_path = in.stdin_path, .stdout_path = {}});
            auto status = client.wait_exit(patience);
            if (!status) FAIL("eddy-connect did not exit within the time limit");
            const auto err = client.read_stderr_to_end(1s);
            INFO("stderr: " << err);
            CHECK(how_it_ended(*status) == "exit code 1");
            CHECK(count_lines(err) == 1);
            CHECK_THAT(err, ContainsSubstring("eddy-connect: cannot read stdin"));
            CHECK_THAT(err, ContainsSubstring(in.says));
        }
    }
    tcp_server.stop_and_expect_clean_exit(SIGTERM);
    udp_server.stop_and_expect_clean_exit(SIGTERM);
}
