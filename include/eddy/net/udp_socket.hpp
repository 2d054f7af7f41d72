// `udp_socket`: a UDP socket on the calling core, IPv4 or IPv6.
//
//     auto s = eddy::net::udp_socket::bind("127.0.0.1:0").value();   // port 0: a free one
//     std::array<std::byte, 65536> buf;
//     auto got = co_await s.recv_from(buf);                       // size and sender
//     if (got) co_await s.send_to(std::span(buf).first(got->first), got->second);
//
// Datagrams go out whole and come in whole (up to 65,507 bytes over IPv4); a receive buffer
// too small gives `errc::message_truncated` (see datagram_socket.hpp). `connect` fixes
// the peer for `send`/`recv`, and the kernel then drops datagrams from anyone else. A socket
// belongs to the core that made it: use it there.
#pragma once

#include "eddy/net/datagram_socket.hpp"
#include "eddy/net/socket_address.hpp"

#include <cstdint>
#include <string_view>

namespace eddy::net {

/// How `udp_socket::bind` sets up its socket: `bind(addr, {.reuse_port = true})`.
struct udp_bind_options {
    /// SO_REUSEADDR: share the address with other sockets that set it too. Default off.
    bool reuse_addr = false;
    /// SO_REUSEPORT: several sockets (one per core) on one port, datagrams spread over them.
    /// Default off.
    bool reuse_port = false;
};

/// A UDP socket on the calling core; see the top of this header, and `datagram_socket` for
/// sending and receiving. Move-only; dropping it closes the socket.
class udp_socket : public datagram_socket<socket_address> {
  public:
    /// An empty socket, not open: assign one made by `bind`.
    udp_socket() noexcept = default;

    /// A socket bound to `addr` (port 0: the kernel picks one, see `local_addr`). Errors name
    /// the address ("address already in use: 127.0.0.1:5353").
    static result<udp_socket> bind(const socket_address& addr, udp_bind_options opts = {});
    /// Same, from a numeric "HOST:PORT"; `errc::invalid_address` naming the text if it does
    /// not parse (names need `resolve` first: binding never blocks).
    static result<udp_socket> bind(std::string_view addr, udp_bind_options opts = {});

    /// Fixes the peer: `send`/`recv` go to and come from `addr` only. Never waits. Errors: the
    /// system's, naming the address.
    result<void> connect(const socket_address& addr);

    /// SO_BROADCAST: allows sending to a broadcast address. Errors: the system's, context
    /// "SO_BROADCAST".
    result<void> set_broadcast(bool on);
    /// Whether SO_BROADCAST is set. Errors: the system's, context "SO_BROADCAST".
    result<bool> broadcast() const;
    /// The time-to-live (IPv4) or hop limit (IPv6) of unicast datagrams, 1 to 255;
    /// `errc::invalid_argument` naming the value otherwise. Other errors: the system's,
    /// context "IP_TTL" or "IPV6_UNICAST_HOPS".
    result<void> set_ttl(std::uint32_t ttl);
    /// The time-to-live (IPv4) or hop limit (IPv6) of unicast datagrams (the system's
    /// default, usually 64, unless set).
    /// Errors: the system's, naming the option.
    result<std::uint32_t> ttl() const;

    /// Joins the IPv4 multicast `group` on the interface with address `interface` (any: the
    /// kernel picks by route). Errors name the text at fault: `errc::invalid_address` for a
    /// `group` that is not an IPv4 multicast address or an `interface` that is not an IPv4
    /// address; the kernel's error otherwise, naming group and interface.
    result<void> join_multicast_v4(std::string_view group, std::string_view interface = "0.0.0.0");
    /// Leaves a group joined with `join_multicast_v4`; errors as there, and a group not
    /// joined is EADDRNOTAVAIL naming it.
    result<void> leave_multicast_v4(std::string_view group, std::string_view interface = "0.0.0.0");
    /// Joins the IPv6 multicast `group` on interface `interface_index` (0: by route). Errors:
    /// `errc::invalid_address` naming a `group` that is not an IPv6 multicast address; the
    /// kernel's error otherwise, naming group and interface index.
    result<void> join_multicast_v6(std::string_view group, unsigned interface_index = 0);
    /// Leaves a group joined with `join_multicast_v6`; errors as there.
    result<void> leave_multicast_v6(std::string_view group, unsigned interface_index = 0);
    /// IP_MULTICAST_LOOP: whether this host's own members get what it sends to a group
    /// (default on). Errors: the system's, context "IP_MULTICAST_LOOP".
    result<void> set_multicast_loop_v4(bool on);
    /// IP_MULTICAST_TTL: how many hops multicast datagrams go, 0 to 255. Default 1.
    /// `errc::invalid_argument` naming a value above 255; the system's error otherwise.
    result<void> set_multicast_ttl_v4(std::uint32_t ttl);
    /// IP_MULTICAST_IF: the interface (by its IPv4 address) multicast datagrams leave from.
    /// Errors: `errc::invalid_address` for text that is not an IPv4 address; the system's
    /// error otherwise, context "IP_MULTICAST_IF" and the address.
    result<void> set_multicast_interface_v4(std::string_view interface);

  private:
    explicit udp_socket(detail::socket_handle h) noexcept : datagram_socket(std::move(h)) {}
};

} // namespace eddy::net
