// Unix stream sockets: listeners on paths and abstract names, connect and its errors,
// pair(), peer credentials, and accept under cancellation.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::peer_credentials;
using eddy::net::unix_address;
using eddy::net::unix_listener;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

peer_credentials this_process() {
    return {.pid = ::getpid(), .uid = ::getuid(), .gid = ::getgid()};
}

std::string abstract_name() {
    return std::string("@").append(temp_socket_path::unique_name());
}

std::string file_text(const std::filesystem::path& p) {
    std::ifstream in(p);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

EDDY_TEST_CASE("a Unix listener on a path carries megabytes both ways, then end of stream",
               "[net][unix]") {
    temp_socket_path path;
    auto listener = unix_listener::bind(path.string()).value();
    CHECK(std::filesystem::is_socket(path.path()));
    auto [client, server] = co_await connect_through(listener);

    const auto up = random_bytes(3 << 20, 21);
    const auto down = random_bytes(3 << 20, 22);
    auto [client_rd, client_wr] = client.split();
    auto [server_rd, server_wr] = server.split();
    scoped client_sends(eddy::spawn(send_then_shutdown(client_wr, up)));
    scoped server_sends(eddy::spawn(send_then_shutdown(server_wr, down)));
    std::vector<std::byte> at_server(up.size());
    scoped server_receives(eddy::spawn(receive_exactly(server_rd, at_server)));

    // Every byte, then a read of 0: the peer's shutdown is seen as the end of stream.
    std::vector<std::byte> at_client(down.size());
    auto received = co_await eddy::timeout(patience, receive_exactly(client_rd, at_client));
    REQUIRE(received);
    CHECK(difference(at_client, down) == "");
    auto server_got = co_await joined(server_receives.handle());
    REQUIRE(server_got);
    CHECK(difference(at_server, up) == "");
    auto client_sent = co_await joined(client_sends.handle());
    CHECK(client_sent);
    auto server_sent = co_await joined(server_sends.handle());
    CHECK(server_sent);
}

EDDY_TEST_CASE("the ends of a Unix connection report their addresses", "[net][unix]") {
    temp_socket_path path;
    auto listener = unix_listener::bind(path.string()).value();
    const auto listening = listener.local_addr().value();
    CHECK(listening.is_path());
    CHECK(listening.to_string() == path.string());
    auto [client, server] = co_await connect_through(listener);

    CHECK(client.local_addr().value().is_unnamed()); // a client never binds
    CHECK(client.peer_addr().value() == listening);
    CHECK(server.local_addr().value() == listening);
    CHECK(server.peer_addr().value().is_unnamed());
}

EDDY_TEST_CASE("a Unix listener on an abstract name works and leaves no file on disk",
               "[net][unix]") {
    const std::string name = abstract_name();
    {
        auto listener = unix_listener::bind(name).value();
        const auto local = listener.local_addr().value();
        CHECK(local.is_abstract());
        CHECK(local.to_string() == name);

        auto client = (co_await eddy::timeout(patience, unix_stream::connect(name))).value();
        auto server = (co_await eddy::timeout(patience, listener.accept())).value();
        CHECK(client.peer_addr().value() == local);
        const auto there = co_await pass_text(client, server, "abstract");
        CHECK(there == "abstract");
        const auto back = co_await pass_text(server, client, "and back");
        CHECK(back == "and back");

        const auto bare = name.substr(1);
        CHECK_FALSE(std::filesystem::exists(name));
        CHECK_FALSE(std::filesystem::exists(bare));
        CHECK_FALSE(std::filesystem::exists(std::filesystem::temp_directory_path() / bare));
    }
    // The name went away with the listener: it can be bound again at once.
    auto again = unix_listener::bind(name);
    CHECK(again);
}

EDDY_TEST_CASE("an abstract name holding a NUL byte, made with unix_address::abstract, works whole",
               "[net][unix]") {
    const std::string unique = temp_socket_path::unique_name();
    const auto whole =
        unix_address::abstract(std::string(unique).append(1, '\0').append("b")).value();
    const auto cut = unix_address::abstract(unique).value(); // the name up to the NUL
    auto listener = unix_listener::bind(whole).value();
    CHECK(listener.local_addr().value() == whole);

    // Only the whole name reaches the listener: nothing listens on the part before the NUL.
    auto refused = co_await eddy::timeout(patience, unix_stream::connect(cut));
    REQUIRE_FALSE(refused);
    CHECK(refused.error() == std::errc::connection_refused);
    auto client = (co_await eddy::timeout(patience, unix_stream::connect(whole))).value();
    auto server = (co_await eddy::timeout(patience, listener.accept())).value();
    const auto there = co_await pass_text(client, server, "whole name");
    CHECK(there == "whole name");
}

EDDY_TEST_CASE("binding the unnamed address gets an abstract name the kernel picks",
               "[net][unix]") {
    auto listener = unix_listener::bind(unix_address()).value();
    const auto local = listener.local_addr().value();
    REQUIRE(local.is_abstract());
    auto [client, server] = co_await connect_through(listener);
    const auto there = co_await pass_text(client, server, "autobound");
    CHECK(there == "autobound");
}

EDDY_TEST_CASE("pair() gives two unnamed streams connected to each other", "[net][unix]") {
    auto [a, b] = unix_stream::pair().value();
    CHECK(a.local_addr().value().is_unnamed());
    CHECK(a.peer_addr().value().is_unnamed());

    const auto at_b = co_await pass_text(a, b, "from a");
    CHECK(at_b == "from a");
    const auto at_a = co_await pass_text(b, a, "from b");
    CHECK(at_a == "from b");

    const auto payload = random_bytes(2 << 20, 23);
    scoped sending(eddy::spawn(send_then_shutdown(b, payload)));
    std::vector<std::byte> got(payload.size());
    auto received = co_await eddy::timeout(patience, receive_exactly(a, got));
    REQUIRE(received);
    CHECK(difference(got, payload) == "");
    auto sent = co_await joined(sending.handle());
    CHECK(sent);
}

EDDY_TEST_CASE("peer_cred names this process on both ends of a connection and of a pair",
               "[net][unix]") {
    const auto me = this_process();
    temp_socket_path path;
    auto listener = unix_listener::bind(path.string()).value();
    auto [client, server] = co_await connect_through(listener);
    CHECK(client.peer_cred().value() == me);
    CHECK(server.peer_cred().value() == me);

    auto [a, b] = unix_stream::pair().value();
    CHECK(a.peer_cred().value() == me);
    CHECK(b.peer_cred().value() == me);

    // The detail function others reuse: an unconnected socket has no peer.
    unique_fd lone(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(lone.get() >= 0);
    const auto nobody = eddy::net::detail::peer_credentials_of(lone.get()).value();
    CHECK(nobody.pid == 0);
    auto closed = eddy::net::detail::peer_credentials_of(-1);
    check_fails_naming(closed, std::errc::bad_file_descriptor, "SO_PEERCRED");
}

EDDY_TEST_CASE("binding a path where a file exists fails, names the path, and keeps the file",
               "[net][unix]") {
    temp_socket_path live;
    auto first = unix_listener::bind(live.string()).value();
    auto second = unix_listener::bind(live.string());
    check_fails_naming(second, std::errc::address_in_use, live.string());
    check_fails_naming(second, std::errc::address_in_use, "a file exists at that path");
    CHECK(std::filesystem::is_socket(live.path()));
    auto [client, server] = co_await connect_through(first); // still serving
    const auto there = co_await pass_text(client, server, "still here");
    CHECK(there == "still here");

    temp_socket_path plain;
    std::ofstream(plain.path()) << "keep me";
    auto over_file = unix_listener::bind(unix_address::parse(plain.string()).value());
    check_fails_naming(over_file, std::errc::address_in_use, plain.string());
    CHECK(file_text(plain.path()) == "keep me");
}

EDDY_TEST_CASE("a dropped listener leaves its socket file: connecting is refused, naming the path",
               "[net][unix]") {
    temp_socket_path path;
    { auto gone = unix_listener::bind(path.string()).value(); }
    REQUIRE(std::filesystem::is_socket(path.path())); // not unlinked, as in Tokio

    auto s = co_await eddy::timeout(patience, unix_stream::connect(path.string()));
    check_fails_naming(s, std::errc::connection_refused, path.string());
    auto rebind = unix_listener::bind(path.string());
    check_fails_naming(rebind, std::errc::address_in_use, path.string());
}

EDDY_TEST_CASE("connecting to a path with no socket fails, naming the path", "[net][unix]") {
    temp_socket_path missing;
    auto by_text = co_await eddy::timeout(patience, unix_stream::connect(missing.string()));
    check_fails_naming(by_text, std::errc::no_such_file_or_directory, missing.string());
    CHECK(by_text.error().message() ==
          std::string("no such file or directory: ").append(missing.string()));

    const auto addr = unix_address::parse(missing.string()).value();
    auto by_address = co_await eddy::timeout(patience, unix_stream::connect(addr));
    check_fails_naming(by_address, std::errc::no_such_file_or_directory, missing.string());
}

EDDY_TEST_CASE("bad Unix addresses are refused, naming them", "[net][unix]") {
    const std::string too_long =
        (std::filesystem::temp_directory_path() / std::string(200, 'x')).string();
    auto l = unix_listener::bind(too_long);
    check_fails_naming(l, eddy::errc::invalid_address, too_long);
    auto c = co_await eddy::timeout(patience, unix_stream::connect(too_long));
    check_fails_naming(c, eddy::errc::invalid_address, too_long);

    temp_socket_path dir; // a directory that does not exist
    const std::string inside = (dir.path() / "x.sock").string();
    auto in_missing_dir = unix_listener::bind(inside);
    check_fails_naming(in_missing_dir, std::errc::no_such_file_or_directory, inside);
    co_return;
}

EDDY_TEST_CASE("an accept cancelled by a timeout loses no connection that comes later",
               "[net][unix][timeout]") {
    temp_socket_path path;
    auto listener = unix_listener::bind(path.string()).value();
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto none = co_await eddy::timeout(30ms, listener.accept());
        REQUIRE_FALSE(none);
        CHECK(none.error() == eddy::errc::timed_out);
    }
    auto client = (co_await eddy::timeout(patience, unix_stream::connect(path.string()))).value();
    auto server = co_await eddy::timeout(patience, listener.accept());
    REQUIRE(server);
    const auto there = co_await pass_text(client, *server, "after the timeouts");
    CHECK(there == "after the timeouts");
}

EDDY_TEST_CASE("a connect to a listener whose queue is full waits until the server accepts",
               "[net][unix]") {
    temp_socket_path path;
    auto listener = unix_listener::bind(path.string(), {.backlog = 0}).value();
    const auto addr = listener.local_addr().value();

    // Fill the queue with plain non-blocking connects until the kernel says EAGAIN.
    std::vector<unique_fd> queued;
    bool full = false;
    for (int i = 0; i < 64 && !full; ++i) {
        unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        REQUIRE(fd.get() >= 0);
        if (::connect(fd.get(), addr.native(), addr.native_size()) == 0) {
            queued.push_back(std::move(fd));
        } else {
            REQUIRE(errno == EAGAIN);
            full = true;
        }
    }
    REQUIRE(full);

    auto gave_up = co_await eddy::timeout(50ms, unix_stream::connect(addr));
    REQUIRE_FALSE(gave_up);
    CHECK(gave_up.error() == eddy::errc::timed_out);
    auto limited = co_await unix_stream::connect(addr, 50ms); // the same, naming the path
    check_fails_naming(limited, eddy::errc::timed_out, path.string());

    scoped waiting(eddy::spawn(unix_stream::connect(addr)));
    co_await eddy::sleep_for(30ms);
    CHECK_FALSE(waiting.is_finished()); // nothing can get in before an accept

    for (std::size_t i = 0; i < queued.size(); ++i) {
        auto taken = co_await eddy::timeout(patience, listener.accept());
        REQUIRE(taken);
    }
    auto client = co_await joined(waiting.handle());
    REQUIRE(client);
    auto server = co_await eddy::timeout(patience, listener.accept());
    REQUIRE(server);
    const auto there = co_await pass_text(*client, *server, "got in");
    CHECK(there == "got in");
}

namespace {

// Adopts `fd` on the core this runs on and answers "ping" with "pong" on it; gives the core.
eddy::task<std::size_t> answer_on_this_core(int fd) {
    auto s = unix_stream::from_fd(fd).value();
    auto ping = co_await read_text(s, 4);
    CHECK(ping == "ping");
    co_await write_text(s, "pong");
    co_return eddy::current_core();
}

} // namespace

EDDY_TEST_CASE_WITH("a stream given up with into_fd keeps working when adopted on another core",
                    "[net][unix]", .cores = 2) {
    auto [here, there] = unix_stream::pair().value();
    const int fd = std::move(there).into_fd();
    REQUIRE(fd >= 0);
    CHECK_FALSE(there.is_open());
    auto served_on = eddy::submit_to(1, [fd] { return answer_on_this_core(fd); });
    co_await write_text(here, "ping");
    const std::size_t core = co_await std::move(served_on);
    CHECK(core == 1);
    auto pong = co_await read_text(here, 4);
    CHECK(pong == "pong");
}
