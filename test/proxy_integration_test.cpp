// Runs the real eddy-proxy in front of the real eddy-echo (their paths come from the
// EDDY_PROXY and EDDY_ECHO environment variables, which test/meson.build sets) and talks to
// them over loopback; some cases put an upstream of the test's own behind the proxy.
#include "child_process.hpp"
#include "echo_process.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <signal.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using eddy::net::socket_address;
using eddy::net::tcp_listener;
using eddy::net::tcp_stream;
using namespace eddy_test;

namespace {

std::string proxy_binary() {
    const char* path = std::getenv("EDDY_PROXY");
    if (!path || !*path) FAIL("EDDY_PROXY is not set: run this test through meson test");
    return path;
}

/// An eddy-proxy started with `args` after its path, once it says it is listening.
struct running_proxy {
    child_process process;
    socket_address addr;

    explicit running_proxy(const std::vector<std::string>& args)
        : process(with_binary(args)), addr(await_listening(process, "eddy-proxy")) {}

    static std::vector<std::string> with_binary(const std::vector<std::string>& args) {
        std::vector<std::string> all{proxy_binary()};
        all.insert(all.end(), args.begin(), args.end());
        return all;
    }
};

/// A loopback address where nothing listens: a port just given back by a listener.
eddy::task<socket_address> refusing_address() {
    auto gone = tcp_listener::bind("127.0.0.1:0").value();
    co_return gone.local_addr().value();
}

/// One client through the proxy to the echo: sends `size` bytes made from `seed` while it
/// reads them back, then checks them byte for byte and that the end of the stream follows.
eddy::task<eddy::result<void>> echo_client(socket_address proxy, std::size_t size,
                                           std::uint64_t seed) {
    auto stream = co_await tcp_stream::connect(proxy, patience);
    if (!stream) co_return std::move(stream).error();
    const auto payload = random_bytes(size, seed);
    auto [rd, wr] = stream->split();
    scoped writer(eddy::spawn(send_then_shutdown(wr, payload)));
    std::vector<std::byte> back(size);
    auto got = co_await eddy::timeout(60s, receive_exactly(rd, back));
    if (!got) co_return eddy::error(got.error().code(), "reading back: " + got.error().message());
    if (auto diff = difference(back, payload); !diff.empty())
        co_return eddy::error(eddy::errc::invalid_argument, diff);
    co_return co_await joined(writer.handle());
}

eddy::task<> count_outcome(eddy::task<eddy::result<void>> client, std::size_t& succeeded,
                           std::vector<std::string>& failures) {
    auto outcome = co_await std::move(client);
    if (outcome)
        ++succeeded;
    else
        failures.push_back(outcome.error().message());
}

/// Runs `count` clients at once, each with its own bytes (1 byte to 64 KiB); gives the
/// failures, none when every client got its bytes back.
eddy::task<std::vector<std::string>> run_clients(socket_address proxy, std::size_t count) {
    std::size_t succeeded = 0;
    std::vector<std::string> failures;
    std::mt19937_64 sizes(7);
    std::vector<eddy::join_handle<void>> clients;
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t size = i == 0 ? 1 : 1 + sizes() % (64 * 1024);
        clients.push_back(
            eddy::spawn(count_outcome(echo_client(proxy, size, 100 + i), succeeded, failures)));
    }
    const auto deadline = eddy::clock::now() + 120s;
    for (auto& c : clients) {
        const auto left = std::max(deadline - eddy::clock::now(), eddy::clock::duration::zero());
        auto joined = co_await eddy::timeout(left, join(c));
        if (!joined) failures.push_back("a client did not finish: " + joined.error().message());
    }
    for (auto& c : clients)
        c.abort(); // none is left behind with references to these locals
    if (failures.empty() && succeeded != count) failures.push_back("clients went missing");
    co_return failures;
}

/// Connects through a proxy whose upstream fails, says hello, and gives how the proxy ended
/// the connection: "closed" (the end of the stream, or a reset); "still open" if nothing
/// came within the patience.
eddy::task<std::string> closed_by_proxy(socket_address proxy) {
    auto s = (co_await tcp_stream::connect(proxy, patience)).value();
    (void)co_await eddy::io::write_all(s, bytes_of("hello?"));
    std::array<std::byte, 16> buf{};
    auto n = co_await eddy::timeout(patience, s.read(buf));
    if (n) co_return *n == 0 ? "closed" : "got bytes";
    if (n.error() == eddy::errc::timed_out) co_return "still open";
    co_return n.error() == std::errc::connection_reset ? "closed" : n.error().message();
}

} // namespace

TEST_CASE("eddy-proxy relays 100 concurrent clients to eddy-echo and back", "[integration]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    child_process echo({echo_binary(), "--listen", "127.0.0.1:0"});
    const auto upstream = start_echo(echo);
    running_proxy proxy(
        {"--listen", "127.0.0.1:0", "--to", upstream.to_string(), "--threads", threads});

    eddy::runtime rt;
    const auto failures = rt.block_on(run_clients(proxy.addr, 100));
    CHECK(failures.empty());
    for (const auto& f : failures)
        UNSCOPED_INFO(f);

    proxy.process.stop_and_expect_clean_exit(SIGTERM);
    echo.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-proxy passes a half-close on, and the other direction goes on", "[integration]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        // The upstream is the test's own: it reads until the client's end of stream and only
        // then answers, so the answer can only come if the half-close reached it through the
        // proxy and the way back stayed open.
        auto listener = tcp_listener::bind("127.0.0.1:0").value();
        const auto upstream = listener.local_addr().value();
        running_proxy proxy({"--listen", "127.0.0.1:0", "--to", upstream.to_string()});

        auto client = (co_await tcp_stream::connect(proxy.addr, patience)).value();
        auto served = (co_await eddy::timeout(patience, listener.accept())).value();
        auto sent = co_await eddy::timeout(patience, send_then_shutdown(client, bytes_of("ask")));
        REQUIRE(sent);

        std::vector<std::byte> asked(3);
        auto heard = co_await eddy::timeout(patience, receive_exactly(served, asked));
        REQUIRE(heard); // "ask", then the end of the stream
        CHECK(text_of(asked) == "ask");
        auto answered =
            co_await eddy::timeout(patience, send_then_shutdown(served, bytes_of("answer")));
        REQUIRE(answered);

        std::vector<std::byte> answer(6);
        auto got = co_await eddy::timeout(patience, receive_exactly(client, answer));
        REQUIRE(got); // "answer", then the end of the stream
        CHECK(text_of(answer) == "answer");

        proxy.process.stop_and_expect_clean_exit(SIGTERM);
    }());
}

TEST_CASE("eddy-proxy closes clients whose upstream refuses, warns, and keeps serving",
          "[integration]") {
    eddy::runtime rt;
    child_process echo({echo_binary(), "--listen", "127.0.0.1:0"});
    const auto good_upstream = start_echo(echo);
    const auto refusing = rt.block_on(refusing_address());
    running_proxy broken({"--listen", "127.0.0.1:0", "--to", refusing.to_string()});
    running_proxy good({"--listen", "127.0.0.1:0", "--to", good_upstream.to_string()});

    for (int i = 0; i < 3; ++i) {
        CAPTURE(i);
        const auto ended = rt.block_on(closed_by_proxy(broken.addr));
        CHECK(ended == "closed");
        CHECK_FALSE(broken.process.wait_exit(0ms).has_value()); // still serving
        const auto failures = rt.block_on(run_clients(good.addr, 5));
        CHECK(failures.empty());
    }

    broken.process.stop_and_expect_clean_exit(SIGTERM);
    const std::string log = broken.process.read_stderr_to_end(exit_limit);
    INFO("stderr: " << log);
    CHECK(count_lines(log) == 3); // one warning per client
    CHECK_THAT(log, ContainsSubstring("upstream " + refusing.to_string()));
    CHECK_THAT(log, ContainsSubstring("connection refused"));
    good.process.stop_and_expect_clean_exit(SIGTERM);
    echo.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-proxy gives up on an upstream that does not answer within --connect-timeout",
          "[integration]") {
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        // Backlog 0 and one connection queued that nobody accepts: the kernel drops every
        // later SYN, so the proxy's connect never completes.
        auto listener = tcp_listener::bind("127.0.0.1:0", {.backlog = 0}).value();
        const auto upstream = listener.local_addr().value();
        auto queued = co_await tcp_stream::connect(upstream, patience);
        REQUIRE(queued);
        running_proxy proxy(
            {"--listen", "127.0.0.1:0", "--to", upstream.to_string(), "--connect-timeout", "0.2"});

        const auto ended = co_await closed_by_proxy(proxy.addr);
        CHECK(ended == "closed");
        CHECK_FALSE(proxy.process.wait_exit(0ms).has_value());

        proxy.process.stop_and_expect_clean_exit(SIGTERM);
        const std::string log = proxy.process.read_stderr_to_end(exit_limit);
        INFO("stderr: " << log);
        CHECK_THAT(log, ContainsSubstring("timed out: " + upstream.to_string()));
    }());
}

TEST_CASE("eddy-proxy exits 0 on SIGTERM and SIGINT, with a relay under way", "[integration]") {
    const int sig = GENERATE(SIGTERM, SIGINT);
    const std::string threads = GENERATE("1", "2");
    CAPTURE(sig, threads);
    child_process echo({echo_binary(), "--listen", "127.0.0.1:0"});
    const auto upstream = start_echo(echo);
    running_proxy proxy(
        {"--listen", "127.0.0.1:0", "--to", upstream.to_string(), "--threads", threads});

    eddy::runtime rt;
    rt.block_on([](running_proxy& proxy, int sig) -> eddy::task<> {
        auto relayed = (co_await tcp_stream::connect(proxy.addr, patience)).value();
        const auto back = co_await pass_text(relayed, relayed, "relayed");
        CHECK(back == "relayed");
        proxy.process.stop_and_expect_clean_exit(sig); // the relay is still open
    }(proxy, sig));
    echo.stop_and_expect_clean_exit(SIGTERM);
}

TEST_CASE("eddy-proxy rejects bad arguments with one line on stderr", "[integration]") {
    struct bad_case {
        std::vector<std::string> args;
        std::string names; // what the message must mention
    };
    const auto c = GENERATE(values<bad_case>({
        {{"--to", "127.0.0.1:7"}, "--listen"},
        {{"--listen", "127.0.0.1:0"}, "--to"},
        {{"--listen", "127.0.0.1:0", "--to", "nonsense"}, "nonsense"},
        {{"--listen", "127.0.0.1:0", "--to", "127.0.0.1:0"}, "--to"},
        {{"--listen", "127.0.0.1:0", "--to", "127.0.0.1:7", "--connect-timeout", "0"}, "'0'"},
        {{"--listen", "127.0.0.1:0", "--to", "127.0.0.1:7", "--connect-timeout", "-1"}, "'-1'"},
        {{"--listen", "127.0.0.1:0", "--to", "127.0.0.1:7", "--connect-timeout", "soon"}, "soon"},
        {{"--listen", "127.0.0.1:0", "--to", "127.0.0.1:7", "--threads", "-1"}, "--threads"},
        {{"--listen", "127.0.0.1:99999", "--to", "127.0.0.1:7"}, "127.0.0.1:99999"},
    }));
    CAPTURE(c.args);
    child_process proxy(running_proxy::with_binary(c.args));
    const std::string err = stderr_of_failed_start(proxy, "a bad argument");
    INFO("stderr: " << err);
    CHECK(err.starts_with("eddy-proxy: "));
    CHECK_THAT(err, ContainsSubstring(c.names));
    CHECK_FALSE(proxy.read_stdout_line(0ms).has_value()); // it never said it was listening
}

TEST_CASE("eddy-proxy takes a fractional --connect-timeout", "[integration]") {
    running_proxy proxy(
        {"--listen", "127.0.0.1:0", "--to", "127.0.0.1:7", "--connect-timeout", "0.5"});
    proxy.process.stop_and_expect_clean_exit(SIGTERM);
}
