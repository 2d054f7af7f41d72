// Adopting an fd with `tcp_stream::from_fd` and `unix_stream::from_fd`: an fd that is not
// the right kind of socket is refused naming what it is, an fd another stream owns is
// refused and left to it, and a blocking fd is made non-blocking so it cannot block a core.
// A refused fd always stays open and unchanged.
#include "fd_support.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using eddy::net::tcp_stream;
using eddy::net::unix_stream;
using namespace eddy_test;

namespace {

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

unique_fd new_socket(int domain, int type) {
    unique_fd fd(::socket(domain, type | SOCK_CLOEXEC, 0));
    REQUIRE(fd.get() >= 0);
    return fd;
}

/// A TCP socket listening on 127.0.0.1 (a free port), made without eddy.
unique_fd raw_tcp_listener() {
    auto fd = new_socket(AF_INET, SOCK_STREAM);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd.get(), 4) == 0);
    return fd;
}

/// Two connected, blocking ends of a stream socket of type `S`, made without eddy.
template <class S> std::pair<unique_fd, unique_fd> blocking_pair() {
    if constexpr (std::is_same_v<S, unix_stream>) {
        return make_socketpair();
    } else {
        auto listener = raw_tcp_listener();
        sockaddr_in addr{};
        socklen_t len = sizeof addr;
        REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
        auto client = new_socket(AF_INET, SOCK_STREAM);
        // Loopback: the kernel completes the handshake from the listener's queue at once.
        REQUIRE(::connect(client.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0);
        unique_fd server(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        REQUIRE(server.get() >= 0);
        return {std::move(client), std::move(server)};
    }
}

/// Checks that adopting `fd` as an `S` is refused with invalid_argument, the message
/// naming what `fd` is, and that the fd is still open and as blocking as it was.
template <class S> void check_refused(int fd, const std::string& says) {
    CAPTURE(says);
    const bool was_nonblocking = nonblocking(fd);
    auto adopted = S::from_fd(fd);
    REQUIRE_FALSE(adopted);
    CHECK(adopted.error() == eddy::errc::invalid_argument);
    CHECK_THAT(adopted.error().message(), ContainsSubstring(says));
    CHECK(is_open(fd));
    CHECK(nonblocking(fd) == was_nonblocking);
}

} // namespace

EDDY_TEMPLATE_TEST_CASE(
    "adopting an fd that another stream owns fails, and that stream keeps working",
    "[net][from_fd]", tcp_stream, unix_stream) {
    auto [client, server] = co_await stream_pair<TestType>();
    const int fd = client.native_handle();
    auto again = TestType::from_fd(fd);
    REQUIRE_FALSE(again);
    CHECK(again.error() == std::errc::file_exists);
    CHECK_THAT(again.error().message(),
               ContainsSubstring("fd " + std::to_string(fd) + " already belongs to"));
    CHECK(is_open(fd));

    const auto there = co_await pass_text(client, server, "still mine");
    CHECK(there == "still mine");
    const auto back = co_await pass_text(server, client, "and back");
    CHECK(back == "and back");
}

EDDY_TEST_CASE("tcp_stream::from_fd refuses what is not a connected TCP socket, naming what it is",
               "[net][from_fd]") {
    auto pipe = make_pipe();
    const auto fd = [](const unique_fd& f) { return std::to_string(f.get()); };
    check_refused<tcp_stream>(pipe.first.get(),
                              "not a TCP socket: fd " + fd(pipe.first) + " is a pipe");
    auto udp = new_socket(AF_INET, SOCK_DGRAM);
    check_refused<tcp_stream>(udp.get(), "fd " + fd(udp) + " is a UDP socket");
    auto unix = make_socketpair();
    check_refused<tcp_stream>(unix.first.get(),
                              "fd " + fd(unix.first) + " is a Unix stream socket");
    auto listening = raw_tcp_listener();
    check_refused<tcp_stream>(listening.get(), "not a connected TCP socket: fd " + fd(listening) +
                                                   " is a listening TCP socket");
    unique_fd dir(
        ::open(std::filesystem::temp_directory_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(dir.get() >= 0);
    check_refused<tcp_stream>(dir.get(), "fd " + fd(dir) + " is a directory");
    co_return;
}

EDDY_TEST_CASE("unix_stream::from_fd refuses what is not a connected Unix stream socket",
               "[net][from_fd]") {
    auto pipe = make_pipe();
    const auto fd = [](const unique_fd& f) { return std::to_string(f.get()); };
    check_refused<unix_stream>(pipe.second.get(),
                               "not a Unix stream socket: fd " + fd(pipe.second) + " is a pipe");
    auto tcp = new_socket(AF_INET6, SOCK_STREAM);
    check_refused<unix_stream>(tcp.get(), "fd " + fd(tcp) + " is a TCP socket");
    int pair[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair) == 0);
    const unique_fd datagram(pair[0]), other(pair[1]);
    check_refused<unix_stream>(datagram.get(), "fd " + fd(datagram) + " is a Unix datagram socket");
    co_return;
}

EDDY_TEST_CASE("adopting a closed fd fails naming it", "[net][from_fd]") {
    auto pipe = make_pipe();
    const int closed = pipe.first.get();
    pipe.first.reset();
    auto adopted = tcp_stream::from_fd(closed);
    REQUIRE_FALSE(adopted);
    CHECK(adopted.error() == std::errc::bad_file_descriptor);
    CHECK_THAT(adopted.error().message(), ContainsSubstring("fd " + std::to_string(closed)));
    co_return;
}

EDDY_TEMPLATE_TEST_CASE(
    "a blocking socket is made non-blocking when adopted, so a read cannot block "
    "the core",
    "[net][from_fd]", tcp_stream, unix_stream) {
    auto [mine, peer] = blocking_pair<TestType>();
    REQUIRE_FALSE(nonblocking(mine.get()));
    // Were the read below to block the core in recv, this ends it: the peer stops
    // sending, the read gives 0 instead of timing out, and the test fails.
    watchdog rescue([fd = peer.get()] { ::shutdown(fd, SHUT_WR); });

    auto s = TestType::from_fd(mine.release());
    REQUIRE(s);
    CHECK(nonblocking(s->native_handle()));
    std::array<std::byte, 16> buf{};
    auto nothing = co_await eddy::timeout(50ms, s->read(buf));
    REQUIRE_FALSE(nothing);
    CHECK(nothing.error() == eddy::errc::timed_out);

    // And it is a working stream.
    REQUIRE(::send(peer.get(), "after all", 9, MSG_NOSIGNAL) == 9);
    const auto got = co_await read_text(*s, 9);
    CHECK(got == "after all");
}
