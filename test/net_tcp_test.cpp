#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::socket_address;
using eddy::net::tcp_listener;
using eddy::net::tcp_stream;
using namespace eddy_test;

namespace {

int int_option(int fd, int level, int name) {
    int value = -1;
    socklen_t len = sizeof value;
    REQUIRE(::getsockopt(fd, level, name, &value, &len) == 0);
    return value;
}

} // namespace

EDDY_TEST_CASE("a connection over 127.0.0.1 carries bytes both ways", "[net][tcp]") {
    auto listener = tcp_listener::bind("127.0.0.1:0").value();
    const auto addr = listener.local_addr().value();
    CHECK(addr.is_v4());
    CHECK(addr.port() != 0);
    auto [client, server] = co_await connect_through(listener);

    const auto at_server = co_await pass_text(client, server, "hello from the client");
    CHECK(at_server == "hello from the client");
    const auto at_client = co_await pass_text(server, client, "and back");
    CHECK(at_client == "and back");
}

EDDY_TEST_CASE("connect takes a numeric HOST:PORT string", "[net][tcp]") {
    auto listener = tcp_listener::bind("127.0.0.1:0").value();
    const auto addr = listener.local_addr().value();
    auto client = (co_await eddy::timeout(patience, tcp_stream::connect(addr.to_string()))).value();
    auto server = (co_await eddy::timeout(patience, listener.accept())).value();
    CHECK(client.peer_addr().value() == addr);
    const auto at_server = co_await pass_text(client, server, "x");
    CHECK(at_server == "x");
}

EDDY_TEST_CASE("the two ends of a connection agree on their addresses", "[net][tcp]") {
    auto listener = tcp_listener::bind("127.0.0.1:0").value();
    const auto listening = listener.local_addr().value();
    auto [client, server] = co_await connect_through(listener);

    const auto client_local = client.local_addr().value();
    CHECK(client_local.is_v4());
    CHECK(client_local.port() != 0);
    CHECK(client.peer_addr().value() == listening);
    CHECK(server.local_addr().value() == listening);
    CHECK(server.peer_addr().value() == client_local);
}

EDDY_TEST_CASE("nodelay and keepalive can be set and read back", "[net][tcp]") {
    auto [client, server] = co_await connected_pair();

    REQUIRE(client.set_nodelay(true));
    CHECK(client.nodelay().value());
    CHECK(int_option(client.native_handle(), IPPROTO_TCP, TCP_NODELAY) != 0);
    REQUIRE(client.set_nodelay(false));
    CHECK_FALSE(client.nodelay().value());

    REQUIRE(client.set_keepalive(true, std::chrono::seconds(30)));
    CHECK(int_option(client.native_handle(), SOL_SOCKET, SO_KEEPALIVE) != 0);
    CHECK(int_option(client.native_handle(), IPPROTO_TCP, TCP_KEEPIDLE) == 30);
    REQUIRE(client.set_keepalive(false));
    CHECK(int_option(client.native_handle(), SOL_SOCKET, SO_KEEPALIVE) == 0);
    REQUIRE(server.set_keepalive(true));
    CHECK(int_option(server.native_handle(), SOL_SOCKET, SO_KEEPALIVE) != 0);
}

EDDY_TEST_CASE("binding a port that a live listener holds fails and names the address",
               "[net][tcp]") {
    auto first = tcp_listener::bind("127.0.0.1:0").value();
    const auto addr = first.local_addr().value();

    auto second = tcp_listener::bind(addr); // reuse_addr is on, but the port is live
    check_fails_naming(second, std::errc::address_in_use, addr.to_string());

    auto by_text = tcp_listener::bind(addr.to_string(), {.reuse_addr = true});
    check_fails_naming(by_text, std::errc::address_in_use, addr.to_string());
    co_return;
}

EDDY_TEST_CASE("binding an address that does not parse names it", "[net][tcp]") {
    auto l = tcp_listener::bind("127.0.0.1:http");
    check_fails_naming(l, eddy::errc::invalid_address, "127.0.0.1:http");
    co_return;
}

EDDY_TEST_CASE("a read cancelled by a timeout loses nothing that arrives afterwards",
               "[net][tcp][timeout]") {
    auto [client, server] = co_await connected_pair();
    for (int attempt = 0; attempt < 3; ++attempt) {
        // A buffer freed right after the timeout: under ASan, a late completion writing
        // into it would be a use-after-free.
        auto scratch = std::make_unique<std::byte[]>(4096);
        auto n = co_await eddy::timeout(50ms, client.read(std::span(scratch.get(), 4096)));
        REQUIRE_FALSE(n);
        CHECK(n.error() == eddy::errc::timed_out);
    }

    const auto payload = random_bytes(256 * 1024, 4);
    auto [server_rd, server_wr] = server.split();
    scoped sending(eddy::spawn(write_everything(server_wr, payload)));
    co_await eddy::sleep_for(20ms); // readiness events arrive while no read waits

    std::vector<std::byte> got(payload.size());
    auto read_all = co_await eddy::timeout(patience, eddy::io::read_exact(client, got));
    REQUIRE(read_all);
    CHECK(difference(got, payload) == "");
    auto sent = co_await joined(sending.handle());
    CHECK(sent);
}

EDDY_TEST_CASE("a read at end of stream gives 0, and the other direction stays open",
               "[net][tcp]") {
    auto [client, server] = co_await connected_pair();
    auto shut = co_await server.shutdown();
    REQUIRE(shut);

    std::array<std::byte, 16> buf{};
    for (int i = 0; i < 2; ++i) { // end of stream stays end of stream
        auto n = co_await eddy::timeout(patience, client.read(buf));
        REQUIRE(n);
        CHECK(*n == 0);
    }
    const auto at_server = co_await pass_text(client, server, "half-closed");
    CHECK(at_server == "half-closed");
}

EDDY_TEST_CASE("connecting where nobody listens is refused, naming the address", "[net][tcp]") {
    socket_address addr;
    {
        auto gone = tcp_listener::bind("127.0.0.1:0").value();
        addr = gone.local_addr().value();
    }
    auto s = co_await eddy::timeout(patience, tcp_stream::connect(addr));
    check_fails_naming(s, std::errc::connection_refused, addr.to_string());

    auto by_text = co_await eddy::timeout(patience, tcp_stream::connect(addr.to_string()));
    check_fails_naming(by_text, std::errc::connection_refused, addr.to_string());
}

EDDY_TEST_CASE("a reset by the peer fails a read with connection_reset and a later write",
               "[net][tcp]") {
    auto [client, server] = co_await connected_pair();
    const linger abortive{.l_onoff = 1, .l_linger = 0};
    REQUIRE(::setsockopt(server.native_handle(), SOL_SOCKET, SO_LINGER, &abortive,
                         sizeof abortive) == 0);
    { auto closed = std::move(server); } // close with SO_LINGER {1, 0}: an RST

    std::array<std::byte, 64> buf{};
    auto n = co_await eddy::timeout(patience, client.read(buf));
    REQUIRE_FALSE(n);
    CHECK(n.error() == std::errc::connection_reset);

    // No SIGPIPE may end the test here: the write reports an error instead.
    const auto data = random_bytes(64 * 1024, 5);
    auto wrote = co_await eddy::timeout(patience, eddy::io::write_all(client, data));
    CHECK_FALSE(wrote);
    if (!wrote) CHECK(wrote.error() != eddy::errc::timed_out);
}

EDDY_TEST_CASE("try_read would block on an empty socket; readable() then lets it read",
               "[net][tcp]") {
    auto [client, server] = co_await connected_pair();
    std::array<std::byte, 64> buf{};
    auto none = client.try_read(buf);
    REQUIRE_FALSE(none);
    CHECK(none.error() == eddy::errc::would_block);

    auto early = co_await eddy::timeout(20ms, client.readable());
    REQUIRE_FALSE(early);
    CHECK(early.error() == eddy::errc::timed_out);

    co_await write_text(server, "hello");
    auto ready = co_await eddy::timeout(patience, client.readable());
    REQUIRE(ready);
    auto n = client.try_read(buf);
    REQUIRE(n);
    CHECK(text_of(std::span(buf).first(*n)) == "hello");

    auto drained = client.try_read(buf);
    REQUIRE_FALSE(drained);
    CHECK(drained.error() == eddy::errc::would_block);
}

EDDY_TEST_CASE("try_write writes at once on a fresh connection; writable() completes",
               "[net][tcp]") {
    auto [client, server] = co_await connected_pair();
    auto ready = co_await eddy::timeout(patience, client.writable());
    REQUIRE(ready);
    auto n = client.try_write(bytes_of("abc"));
    REQUIRE(n);
    CHECK(*n == 3);
    const auto at_server = co_await read_text(server, 3);
    CHECK(at_server == "abc");
}

namespace {

/// Sets RLIMIT_NOFILE's soft limit and puts the old one back when it goes out of scope.
class fd_limit {
  public:
    explicit fd_limit(rlim_t soft) {
        REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved_) == 0);
        rlimit lowered = saved_;
        lowered.rlim_cur = soft;
        REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
    }
    fd_limit(const fd_limit&) = delete;
    fd_limit& operator=(const fd_limit&) = delete;
    ~fd_limit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

  private:
    rlimit saved_{};
};

int highest_open_fd() {
    int highest = -1;
    DIR* dir = ::opendir("/proc/self/fd");
    REQUIRE(dir != nullptr);
    while (dirent* entry = ::readdir(dir)) {
        if (entry->d_name[0] != '.') highest = std::max(highest, std::atoi(entry->d_name));
    }
    ::closedir(dir);
    return highest;
}

/// Accepts until the listener fails; every stream goes to `accepted`.
eddy::task<> accept_all(tcp_listener& listener, std::vector<tcp_stream>& accepted,
                        std::size_t& total, std::optional<eddy::error>& failure) {
    for (;;) {
        auto s = co_await listener.accept();
        if (!s) {
            failure = s.error();
            co_return;
        }
        accepted.push_back(std::move(*s));
        ++total;
    }
}

constexpr std::size_t fds_left = 12;     // what the lowered limit leaves for accepted streams
constexpr std::size_t client_count = 20; // more than fit
} // namespace

EDDY_TEST_CASE("accept keeps going when the process runs out of fds", "[net][tcp][emfile]") {
    auto listener = tcp_listener::bind("127.0.0.1:0").value();
    const auto addr = listener.local_addr().value();
    std::vector<tcp_stream> accepted;
    std::size_t total = 0;
    std::optional<eddy::error> failure;
    scoped server(eddy::spawn(accept_all(listener, accepted, total, failure)));

    // The clients' sockets are made before the limit drops, so only accept runs short.
    std::vector<unique_fd> clients;
    for (std::size_t i = 0; i < client_count; ++i) {
        int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        REQUIRE(fd >= 0);
        clients.emplace_back(fd);
    }
    // Fill every hole below the highest open fd, so that exactly `fds_left` numbers stay
    // free under the new limit.
    std::vector<unique_fd> fillers;
    const int highest_open = highest_open_fd();
    int highest = highest_open;
    for (int i = 0; i < 4096 && highest <= highest_open; ++i) {
        int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        fillers.emplace_back(fd);
        highest = std::max(highest, fd);
    }
    REQUIRE(highest > highest_open);
    fd_limit limit(static_cast<rlim_t>(highest) + 1 + fds_left);

    for (auto& c : clients) {
        const int rc = ::connect(c.get(), addr.native(), addr.native_size());
        REQUIRE((rc == 0 || errno == EINPROGRESS));
    }
    // Named lambdas: g++ 12 miscompiles a capturing lambda created inside a co_await.
    auto filled_up = [&] { return total >= fds_left; };
    const bool some_accepted = co_await eventually(filled_up);
    CHECK(some_accepted);
    co_await eddy::sleep_for(300ms); // accept meets EMFILE and backs off meanwhile
    CHECK(total > 0);
    CHECK(total < client_count);
    CHECK_FALSE(server.is_finished());
    CHECK_FALSE(failure.has_value());

    accepted.clear(); // gives the fds back: the waiting connections can come in
    auto everyone_in = [&] { return total == client_count; };
    const bool all_accepted = co_await eventually(everyone_in);
    CHECK(all_accepted);
    CHECK(total == client_count);
    CHECK_FALSE(server.is_finished());
    if (failure) FAIL("accept failed: " << failure->message());
}

namespace {

std::size_t open_fd_count() {
    std::size_t count = 0;
    DIR* dir = ::opendir("/proc/self/fd");
    REQUIRE(dir != nullptr);
    while (dirent* entry = ::readdir(dir))
        count += entry->d_name[0] != '.';
    ::closedir(dir);
    return count;
}

} // namespace

EDDY_TEST_CASE("a connect with a time limit to a full listener times out, naming the address",
               "[net][tcp][timeout]") {
    // Backlog 0: the queue holds one connection, nobody accepts, and the kernel drops every
    // later SYN, so a connect stays in SYN_SENT (its first retry comes a second later).
    auto listener = tcp_listener::bind("127.0.0.1:0", {.backlog = 0}).value();
    const auto addr = listener.local_addr().value();
    auto queued = co_await tcp_stream::connect(addr, patience);
    REQUIRE(queued);

    const std::size_t fds_before = open_fd_count();
    auto by_address = co_await tcp_stream::connect(addr, 50ms);
    check_fails_naming(by_address, eddy::errc::timed_out, addr.to_string());
    CHECK_THAT(by_address.error().message(),
               Catch::Matchers::StartsWith("operation timed out: 127.0.0.1:"));
    auto by_text = co_await tcp_stream::connect(addr.to_string(), 50ms);
    check_fails_naming(by_text, eddy::errc::timed_out, addr.to_string());
    CHECK(open_fd_count() == fds_before); // the half-open sockets were closed
}

EDDY_TEST_CASE("a connect with a time limit that is refused says so, naming the address",
               "[net][tcp][timeout]") {
    socket_address addr;
    {
        auto gone = tcp_listener::bind("127.0.0.1:0").value();
        addr = gone.local_addr().value();
    }
    auto by_address = co_await tcp_stream::connect(addr, patience);
    check_fails_naming(by_address, std::errc::connection_refused, addr.to_string());
    auto by_text = co_await tcp_stream::connect(addr.to_string(), patience);
    check_fails_naming(by_text, std::errc::connection_refused, addr.to_string());
}

EDDY_TEST_CASE("a connect with a time limit that succeeds gives a working stream",
               "[net][tcp][timeout]") {
    auto listener = tcp_listener::bind("127.0.0.1:0").value();
    const auto addr = listener.local_addr().value();
    auto client = co_await tcp_stream::connect(addr.to_string(), patience);
    REQUIRE(client);
    auto server = co_await eddy::timeout(patience, listener.accept());
    REQUIRE(server);
    const auto there = co_await pass_text(*client, *server, "within the limit");
    CHECK(there == "within the limit");
}
