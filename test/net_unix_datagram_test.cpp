// Unix datagram sockets: path-bound and abstract addresses, pairs, unbound senders,
// truncation, connected sockets, a bind that finds a file in the way, and a send and a
// receive waiting at once on one socket.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using eddy::net::unix_address;
using eddy::net::unix_datagram;
using namespace eddy_test;

namespace fs = std::filesystem;

namespace {

/// A directory of its own under the system's temp directory, removed with what it holds.
class temp_dir {
  public:
    temp_dir() {
        static std::atomic<int> counter{0};
        std::random_device entropy;
        std::string name = "eddy-udgram-";
        name.append(std::to_string(::getpid()))
            .append("-")
            .append(std::to_string(counter.fetch_add(1)))
            .append("-")
            .append(std::to_string(entropy()));
        path_ = fs::temp_directory_path() / name;
        fs::create_directory(path_);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }

    /// The path of `name` inside the directory, as text.
    std::string path(std::string_view name) const { return (path_ / name).string(); }

  private:
    fs::path path_;
};

/// An abstract name no other test run uses.
std::string abstract_name(std::string_view what) {
    std::random_device entropy;
    std::string name = "@eddy-test-";
    name.append(what).append("-").append(std::to_string(::getpid())).append("-");
    name.append(std::to_string(entropy()));
    return name;
}

/// Sends `text` to `to` as one datagram, checking that it all went.
eddy::task<> send_text_to(unix_datagram& sock, std::string_view text, const unix_address& to) {
    auto n = co_await eddy::timeout(patience, sock.send_to(bytes_of(text), to));
    REQUIRE(n);
    CHECK(*n == text.size());
}

struct received {
    std::string text;
    unix_address from;
};

/// The next datagram and its sender; fails the test if none comes in time.
eddy::task<received> receive_from(unix_datagram& sock) {
    std::array<std::byte, 4096> buf{};
    auto got = co_await eddy::timeout(patience, sock.recv_from(buf));
    if (!got) FAIL("recv_from: " << got.error().message());
    received r;
    r.text = text_of(std::span(buf).first(got->first));
    r.from = got->second;
    co_return r;
}

} // namespace

TEST_CASE("sockets bound to paths exchange datagrams and see each other's path",
          "[net][unix][datagram]") {
    temp_dir dir;
    eddy::runtime rt;
    rt.block_on([](std::string server_path, std::string client_path) -> eddy::task<> {
        auto server = unix_datagram::bind(server_path).value();
        auto client = unix_datagram::bind(client_path).value();
        CHECK(fs::is_socket(server_path));
        const auto server_addr = server.local_addr().value();
        CHECK(server_addr.is_path());
        CHECK(server_addr.to_string() == server_path);

        co_await send_text_to(client, "hello server", server_addr);
        const auto at_server = co_await receive_from(server);
        CHECK(at_server.text == "hello server");
        CHECK(at_server.from.to_string() == client_path);

        co_await send_text_to(server, "hello client", at_server.from); // reply to the sender
        const auto at_client = co_await receive_from(client);
        CHECK(at_client.text == "hello client");
        CHECK(at_client.from == server_addr);
    }(dir.path("server.sock"), dir.path("client.sock")));
}

EDDY_TEST_CASE("sockets bound to abstract names exchange datagrams without files",
               "[net][unix][datagram]") {
    const auto server_name = abstract_name("server");
    const auto client_name = abstract_name("client");
    auto server = unix_datagram::bind(server_name).value();
    auto client = unix_datagram::bind(unix_address::parse(client_name).value()).value();
    const auto server_addr = server.local_addr().value();
    CHECK(server_addr.is_abstract());
    CHECK(server_addr.to_string() == server_name);

    co_await send_text_to(client, "ping", server_addr);
    const auto at_server = co_await receive_from(server);
    CHECK(at_server.text == "ping");
    CHECK(at_server.from.is_abstract());
    CHECK(at_server.from.to_string() == client_name);
    co_await send_text_to(server, "pong", at_server.from);
    const auto at_client = co_await receive_from(client);
    CHECK(at_client.text == "pong");

    auto taken = unix_datagram::bind(server_name);
    check_fails_naming(taken, std::errc::address_in_use, server_name);
}

EDDY_TEST_CASE("a pair of unix datagram sockets talks both ways", "[net][unix][datagram]") {
    auto [a, b] = unix_datagram::pair().value();
    CHECK(a.local_addr().value().is_unnamed());
    CHECK(a.peer_addr().value().is_unnamed());
    const eddy::net::peer_credentials me{.pid = ::getpid(), .uid = ::getuid(), .gid = ::getgid()};
    CHECK(b.peer_cred().value() == me);

    const auto payload = random_bytes(60000, 9);
    auto sent = co_await eddy::timeout(patience, a.send(payload));
    REQUIRE(sent);
    CHECK(*sent == payload.size());
    std::vector<std::byte> buf(64 * 1024);
    auto got = co_await eddy::timeout(patience, b.recv(buf));
    REQUIRE(got);
    CHECK(difference(std::span(buf).first(*got), payload) == "");

    auto back = co_await eddy::timeout(patience, b.send(bytes_of("back")));
    REQUIRE(back);
    auto at_a = co_await eddy::timeout(patience, a.recv(buf));
    REQUIRE(at_a);
    CHECK(text_of(std::span(buf).first(*at_a)) == "back");
}

EDDY_TEST_CASE("an unbound sender's address is unnamed", "[net][unix][datagram]") {
    const auto server_name = abstract_name("unbound");
    auto server = unix_datagram::bind(server_name).value();
    auto client = unix_datagram::unbound().value();
    CHECK(client.local_addr().value().is_unnamed());

    co_await send_text_to(client, "anonymous", server.local_addr().value());
    const auto at_server = co_await receive_from(server);
    CHECK(at_server.text == "anonymous");
    CHECK(at_server.from.is_unnamed());
    CHECK(at_server.from.to_string() == "(unnamed)");
}

EDDY_TEST_CASE("a unix datagram larger than the buffer is reported as truncated",
               "[net][unix][datagram][truncation]") {
    auto [a, b] = unix_datagram::pair().value();
    const auto big = random_bytes(1200, 10);
    std::array<std::byte, 512> small{};
    std::vector<std::byte> large(4096);

    auto sent = co_await a.send(big);
    REQUIRE(sent);
    auto cut = co_await eddy::timeout(patience, b.recv(small));
    check_fails_naming(cut, eddy::errc::message_truncated,
                       "datagram of 1200 bytes into a buffer of 512");
    auto empty = b.try_recv(large); // consumed by the truncated receive
    REQUIRE_FALSE(empty);
    CHECK(empty.error() == eddy::errc::would_block);

    sent = co_await a.send(big);
    REQUIRE(sent);
    auto peeked = co_await eddy::timeout(patience, b.peek_from(small));
    check_fails_naming(peeked, eddy::errc::message_truncated,
                       "datagram of 1200 bytes into a buffer of 512");
    auto whole = co_await eddy::timeout(patience, b.recv_from(large));
    REQUIRE(whole);
    CHECK(difference(std::span(large).first(whole->first), big) == "");

    sent = co_await a.send(big);
    REQUIRE(sent);
    auto cut_from = b.try_recv_from(small);
    check_fails_naming(cut_from, eddy::errc::message_truncated,
                       "datagram of 1200 bytes into a buffer of 512");
}

TEST_CASE("binding where a file exists fails naming the path, and leaves the file",
          "[net][unix][datagram]") {
    temp_dir dir;
    const auto occupied = dir.path("occupied.sock");
    std::ofstream(occupied) << "not a socket";
    const auto live = dir.path("live.sock");
    eddy::runtime rt;
    rt.block_on([](std::string file_path, std::string socket_path) -> eddy::task<> {
        auto over_file = unix_datagram::bind(file_path);
        check_fails_naming(over_file, std::errc::address_in_use, file_path);
        CHECK_THAT(over_file.error().message(),
                   Catch::Matchers::ContainsSubstring("a file exists there"));
        CHECK(fs::is_regular_file(file_path));

        auto first = unix_datagram::bind(socket_path).value();
        auto second = unix_datagram::bind(socket_path);
        check_fails_naming(second, std::errc::address_in_use, socket_path);
        CHECK(fs::is_socket(socket_path));

        auto bad = unix_datagram::bind("");
        check_fails_naming(bad, eddy::errc::invalid_address, "empty");
        co_return;
    }(occupied, live));
}

TEST_CASE("a connected unix datagram socket sends to its peer and names it",
          "[net][unix][datagram][connect]") {
    temp_dir dir;
    eddy::runtime rt;
    rt.block_on([](std::string server_path, std::string nobody_path) -> eddy::task<> {
        auto server = unix_datagram::bind(server_path).value();
        const auto server_addr = server.local_addr().value();
        auto client = unix_datagram::unbound().value();

        auto nobody = client.connect(unix_address::parse(nobody_path).value());
        REQUIRE_FALSE(nobody);
        CHECK_THAT(nobody.error().message(), Catch::Matchers::ContainsSubstring(nobody_path));

        REQUIRE(client.connect(server_addr));
        CHECK(client.peer_addr().value() == server_addr);
        auto sent = co_await eddy::timeout(patience, client.send(bytes_of("connected")));
        REQUIRE(sent);
        const auto at_server = co_await receive_from(server);
        CHECK(at_server.text == "connected");
        CHECK(at_server.from.is_unnamed());
    }(dir.path("server.sock"), dir.path("nobody.sock")));
}

EDDY_TEST_CASE("a recv cancelled by a timeout loses nothing sent afterwards on a unix socket",
               "[net][unix][datagram][timeout]") {
    auto [a, b] = unix_datagram::pair().value();
    for (int attempt = 0; attempt < 3; ++attempt) {
        auto scratch = std::make_unique<std::byte[]>(1024);
        auto n = co_await eddy::timeout(30ms, a.recv_from(std::span(scratch.get(), 1024)));
        REQUIRE_FALSE(n);
        CHECK(n.error() == eddy::errc::timed_out);
    }
    auto sent = co_await b.send(bytes_of("late"));
    REQUIRE(sent);
    std::array<std::byte, 64> buf{};
    auto got = co_await eddy::timeout(patience, a.recv(buf));
    REQUIRE(got);
    CHECK(text_of(std::span(buf).first(*got)) == "late");
}

namespace {

eddy::task<eddy::result<std::size_t>> send_one(unix_datagram& sock,
                                               std::span<const std::byte> data) {
    auto sent = co_await sock.send(data);
    co_return sent;
}

eddy::task<std::string> receive_one(unix_datagram& sock) {
    std::array<std::byte, 256> buf{};
    auto got = co_await sock.recv(buf);
    REQUIRE(got);
    co_return text_of(std::span(buf).first(*got));
}

} // namespace

EDDY_TEST_CASE("a send waiting for room and a recv waiting for data park at once on one socket",
               "[net][unix][datagram]") {
    auto [a, b] = unix_datagram::pair().value();
    const auto filler = random_bytes(1000, 11);
    std::size_t queued = 0;
    // Until a's send buffer is full (a connected pair is not held to the receive queue's
    // length limit).
    for (; queued < 100000; ++queued) {
        auto sent = a.try_send(filler);
        if (!sent) {
            REQUIRE(sent.error() == eddy::errc::would_block);
            break;
        }
    }
    REQUIRE(queued > 0);
    REQUIRE(queued < 100000);

    const auto last = random_bytes(1000, 12);
    scoped sender(eddy::spawn(send_one(a, last)));
    scoped receiver(eddy::spawn(receive_one(a)));
    co_await eddy::sleep_for(30ms);
    REQUIRE_FALSE(sender.is_finished());   // parked as a's writer: no room
    REQUIRE_FALSE(receiver.is_finished()); // parked as a's reader: nothing sent to a

    // The kernel reports `a` writable again only once its unread datagrams take a
    // quarter of its send buffer or less, so b reads all of them.
    std::vector<std::byte> buf(2048);
    for (std::size_t i = 0; i < queued; ++i) {
        auto got = b.try_recv(buf);
        REQUIRE(got);
        CHECK(*got == filler.size());
    }
    auto sent = co_await joined(sender.handle());
    REQUIRE(sent);
    CHECK(*sent == last.size());
    CHECK_FALSE(receiver.is_finished()); // the send ended alone
    auto got_last = co_await eddy::timeout(patience, b.recv(buf));
    REQUIRE(got_last);
    CHECK(difference(std::span(buf).first(*got_last), last) == "");

    auto reply = co_await eddy::timeout(patience, b.send(bytes_of("to a")));
    REQUIRE(reply);
    const auto at_a = co_await joined(receiver.handle());
    CHECK(at_a == "to a");
}
