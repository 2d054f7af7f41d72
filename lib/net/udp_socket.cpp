#include "eddy/net/udp_socket.hpp"

#include "eddy/net/detail/sockopt.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace eddy::net {

namespace {

result<in_addr> parse_v4(std::string_view text, bool multicast) {
    in_addr a{};
    if (::inet_pton(AF_INET, std::string(text).c_str(), &a) != 1)
        return detail::invalid_address(text, "not an IPv4 address");
    if (multicast && !IN_MULTICAST(ntohl(a.s_addr)))
        return detail::invalid_address(text, "not an IPv4 multicast group");
    return a;
}

result<in6_addr> parse_v6_group(std::string_view text) {
    in6_addr a{};
    if (::inet_pton(AF_INET6, std::string(text).c_str(), &a) != 1)
        return detail::invalid_address(text, "not an IPv6 address");
    if (!IN6_IS_ADDR_MULTICAST(&a))
        return detail::invalid_address(text, "not an IPv6 multicast group");
    return a;
}

std::string group_context(std::string_view group, std::string_view interface) {
    std::string context = "multicast group ";
    context.append(group).append(" on interface ").append(interface);
    return context;
}

result<void> change_membership_v4(int fd, int option, std::string_view group,
                                  std::string_view interface) {
    auto g = parse_v4(group, true);
    if (!g) return std::move(g).error();
    auto i = parse_v4(interface, false);
    if (!i) return std::move(i).error();
    const ip_mreq request{.imr_multiaddr = *g, .imr_interface = *i};
    if (::setsockopt(fd, IPPROTO_IP, option, &request, sizeof request) < 0)
        return error::from_errno(errno, group_context(group, interface));
    return {};
}

result<void> change_membership_v6(int fd, int option, std::string_view group, unsigned index) {
    auto g = parse_v6_group(group);
    if (!g) return std::move(g).error();
    const ipv6_mreq request{.ipv6mr_multiaddr = *g, .ipv6mr_interface = index};
    if (::setsockopt(fd, IPPROTO_IPV6, option, &request, sizeof request) < 0)
        return error::from_errno(errno, group_context(group, std::to_string(index)));
    return {};
}

error out_of_range(const char* what, std::uint32_t value, std::string_view range) {
    std::string context = what;
    context.append(" ")
        .append(std::to_string(value))
        .append(" (must be ")
        .append(range)
        .append(")");
    return error(errc::invalid_argument, std::move(context));
}

} // namespace

result<udp_socket> udp_socket::bind(const socket_address& addr, udp_bind_options opts) {
    auto fd = detail::bound_socket(addr, SOCK_DGRAM, opts.reuse_addr, opts.reuse_port);
    if (!fd) return std::move(fd).error();
    auto handle = detail::socket_handle::adopt(fd->release());
    if (!handle) return error(handle.error().code(), addr.to_string());
    return udp_socket(std::move(*handle));
}

result<udp_socket> udp_socket::bind(std::string_view addr, udp_bind_options opts) {
    auto parsed = socket_address::parse(addr);
    if (!parsed) return std::move(parsed).error();
    return bind(*parsed, opts);
}

result<void> udp_socket::connect(const socket_address& addr) {
    // A UDP connect only records the peer: it completes at once, even on a non-blocking fd.
    if (::connect(handle_.fd(), addr.native(), addr.native_size()) < 0)
        return error::from_errno(errno, addr.to_string());
    return {};
}

result<void> udp_socket::set_broadcast(bool on) {
    return detail::set_int_option(handle_.fd(), SOL_SOCKET, SO_BROADCAST, on ? 1 : 0,
                                  "SO_BROADCAST");
}

result<bool> udp_socket::broadcast() const {
    auto v = detail::get_int_option(handle_.fd(), SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST");
    if (!v) return std::move(v).error();
    return *v != 0;
}

result<void> udp_socket::set_ttl(std::uint32_t ttl) {
    if (ttl < 1 || ttl > 255) return out_of_range("TTL", ttl, "1 to 255");
    auto family = detail::get_int_option(handle_.fd(), SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN");
    if (!family) return std::move(family).error();
    const int value = static_cast<int>(ttl);
    if (*family == AF_INET6)
        return detail::set_int_option(handle_.fd(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, value,
                                      "IPV6_UNICAST_HOPS");
    return detail::set_int_option(handle_.fd(), IPPROTO_IP, IP_TTL, value, "IP_TTL");
}

result<std::uint32_t> udp_socket::ttl() const {
    auto family = detail::get_int_option(handle_.fd(), SOL_SOCKET, SO_DOMAIN, "SO_DOMAIN");
    if (!family) return std::move(family).error();
    auto v = *family == AF_INET6
                 ? detail::get_int_option(handle_.fd(), IPPROTO_IPV6, IPV6_UNICAST_HOPS,
                                          "IPV6_UNICAST_HOPS")
                 : detail::get_int_option(handle_.fd(), IPPROTO_IP, IP_TTL, "IP_TTL");
    if (!v) return std::move(v).error();
    return static_cast<std::uint32_t>(*v);
}

result<void> udp_socket::join_multicast_v4(std::string_view group, std::string_view interface) {
    return change_membership_v4(handle_.fd(), IP_ADD_MEMBERSHIP, group, interface);
}

result<void> udp_socket::leave_multicast_v4(std::string_view group, std::string_view interface) {
    return change_membership_v4(handle_.fd(), IP_DROP_MEMBERSHIP, group, interface);
}

result<void> udp_socket::join_multicast_v6(std::string_view group, unsigned interface_index) {
    return change_membership_v6(handle_.fd(), IPV6_JOIN_GROUP, group, interface_index);
}

result<void> udp_socket::leave_multicast_v6(std::string_view group, unsigned interface_index) {
    return change_membership_v6(handle_.fd(), IPV6_LEAVE_GROUP, group, interface_index);
}

result<void> udp_socket::set_multicast_loop_v4(bool on) {
    return detail::set_int_option(handle_.fd(), IPPROTO_IP, IP_MULTICAST_LOOP, on ? 1 : 0,
                                  "IP_MULTICAST_LOOP");
}

result<void> udp_socket::set_multicast_ttl_v4(std::uint32_t ttl) {
    if (ttl > 255) return out_of_range("multicast TTL", ttl, "0 to 255");
    return detail::set_int_option(handle_.fd(), IPPROTO_IP, IP_MULTICAST_TTL, static_cast<int>(ttl),
                                  "IP_MULTICAST_TTL");
}

result<void> udp_socket::set_multicast_interface_v4(std::string_view interface) {
    auto i = parse_v4(interface, false);
    if (!i) return std::move(i).error();
    if (::setsockopt(handle_.fd(), IPPROTO_IP, IP_MULTICAST_IF, &*i, sizeof *i) < 0)
        return error::from_errno(errno, std::string("IP_MULTICAST_IF ").append(interface));
    return {};
}

} // namespace eddy::net
