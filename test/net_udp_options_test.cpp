// UDP socket options read back as set, and multicast membership: join and leave on the
// loopback interface, delivery to the group where this machine routes multicast over
// loopback, and group text that is not a group.
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <string>

using eddy::net::udp_socket;
using namespace eddy_test;

namespace {

constexpr const char* group_v4 = "239.255.77.1";
constexpr const char* group_v6 = "ff01::77ed"; // interface-local: no membership report leaves

/// A datagram sent to the group and port through plain sockets reaches a member joined on
/// 127.0.0.1: whether this machine delivers multicast over loopback at all.
bool loopback_multicast_works(const char* group) {
    unique_fd receiver(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    unique_fd sender(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in at{.sin_family = AF_INET, .sin_port = 0, .sin_addr = {}, .sin_zero = {}};
    ::inet_pton(AF_INET, group, &at.sin_addr);
    if (::bind(receiver.get(), reinterpret_cast<sockaddr*>(&at), sizeof at) < 0) return false;
    socklen_t size = sizeof at;
    ::getsockname(receiver.get(), reinterpret_cast<sockaddr*>(&at), &size);
    ip_mreq join{};
    ::inet_pton(AF_INET, group, &join.imr_multiaddr);
    ::inet_pton(AF_INET, "127.0.0.1", &join.imr_interface);
    if (::setsockopt(receiver.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) < 0)
        return false;
    ::setsockopt(sender.get(), IPPROTO_IP, IP_MULTICAST_IF, &join.imr_interface,
                 sizeof join.imr_interface);
    if (::sendto(sender.get(), "probe", 5, 0, reinterpret_cast<sockaddr*>(&at), sizeof at) != 5)
        return false;
    pollfd p{.fd = receiver.get(), .events = POLLIN, .revents = 0};
    return ::poll(&p, 1, 2000) == 1;
}

} // namespace

EDDY_TEST_CASE("broadcast and TTL settings read back as set", "[net][udp][options]") {
    auto v4 = udp_socket::bind("127.0.0.1:0").value();
    CHECK_FALSE(v4.broadcast().value());
    REQUIRE(v4.set_broadcast(true));
    CHECK(v4.broadcast().value());
    REQUIRE(v4.set_broadcast(false));
    CHECK_FALSE(v4.broadcast().value());

    REQUIRE(v4.set_ttl(17));
    CHECK(v4.ttl().value() == 17);
    REQUIRE(v4.set_ttl(255));
    CHECK(v4.ttl().value() == 255);
    auto zero = v4.set_ttl(0);
    check_fails_naming(zero, eddy::errc::invalid_argument, "TTL 0");
    auto huge = v4.set_ttl(300);
    check_fails_naming(huge, eddy::errc::invalid_argument, "TTL 300");

    auto v6 = udp_socket::bind("[::1]:0");
    if (v6) {
        REQUIRE(v6->set_ttl(9));
        CHECK(v6->ttl().value() == 9);
    }
    co_return;
}

TEST_CASE("an IPv4 multicast group is joined and left on the loopback interface",
          "[net][udp][multicast]") {
    const bool delivers = loopback_multicast_works(group_v4);
    eddy::runtime rt;
    rt.block_on([](bool delivers) -> eddy::task<> {
        // Bound to the group itself, so it receives what goes to the group and nothing else.
        std::string at = group_v4;
        at.append(":0");
        auto member = udp_socket::bind(at).value();
        REQUIRE(member.join_multicast_v4(group_v4, "127.0.0.1"));

        auto sender = udp_socket::bind("127.0.0.1:0").value();
        REQUIRE(sender.set_multicast_interface_v4("127.0.0.1"));
        REQUIRE(sender.set_multicast_loop_v4(true));
        REQUIRE(sender.set_multicast_ttl_v4(1));
        auto sent = co_await sender.send_to(bytes_of("to the group"), member.local_addr().value());
        REQUIRE(sent);
        if (delivers) {
            std::array<std::byte, 64> buf{};
            auto got = co_await eddy::timeout(patience, member.recv_from(buf));
            REQUIRE(got);
            CHECK(text_of(std::span(buf).first(got->first)) == "to the group");
            CHECK(got->second == sender.local_addr().value());
        } else {
            WARN("this machine does not deliver multicast over loopback: delivery not checked");
        }

        REQUIRE(member.leave_multicast_v4(group_v4, "127.0.0.1"));
        auto not_joined = member.leave_multicast_v4(group_v4, "127.0.0.1");
        check_fails_naming(not_joined, std::errc::address_not_available, group_v4);
    }(delivers));
}

EDDY_TEST_CASE("multicast group text that is not a group is refused, naming it",
               "[net][udp][multicast]") {
    auto s = udp_socket::bind("127.0.0.1:0").value();
    auto garbled = s.join_multicast_v4("239.255.77");
    check_fails_naming(garbled, eddy::errc::invalid_address, "239.255.77");
    auto unicast = s.join_multicast_v4("10.1.2.3", "127.0.0.1");
    check_fails_naming(unicast, eddy::errc::invalid_address, "10.1.2.3");
    auto bad_interface = s.join_multicast_v4("239.255.77.1", "lo");
    check_fails_naming(bad_interface, eddy::errc::invalid_address, "'lo'");
    auto v6_text = s.join_multicast_v6("ff01::zz");
    check_fails_naming(v6_text, eddy::errc::invalid_address, "ff01::zz");
    co_return;
}

TEST_CASE("an IPv6 multicast group is joined and left on interface 0", "[net][udp][multicast]") {
    if (!has_ipv6_loopback()) SKIP("this machine cannot bind ::1 (no IPv6 loopback)");
    eddy::runtime rt;
    rt.block_on([]() -> eddy::task<> {
        auto s = udp_socket::bind("[::1]:0").value();
        REQUIRE(s.join_multicast_v6(group_v6, 0));
        REQUIRE(s.leave_multicast_v6(group_v6, 0));
        auto not_joined = s.leave_multicast_v6(group_v6, 0);
        REQUIRE_FALSE(not_joined);
        CHECK_THAT(not_joined.error().message(), Catch::Matchers::ContainsSubstring(group_v6));
        co_return;
    }());
}
