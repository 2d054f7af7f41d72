// `unix_datagram`: a Unix-domain datagram socket on the calling core (SOCK_DGRAM, AF_UNIX).
//
//     auto server = eddy::net::unix_datagram::bind("/run/app/log.sock").value();
//     auto client = eddy::net::unix_datagram::unbound().value();
//     co_await client.send_to(eddy_bytes, server.local_addr().value());
//     auto got = co_await server.recv_from(buf);       // size, and the sender's address
//
// Datagrams keep their boundaries and are never lost or reordered between two sockets on one
// host: a sender whose earlier datagrams are still unread (the receiver's queue or its own
// send buffer is full) waits instead of dropping. Addresses are paths or abstract
// names (`unix_address`); an unbound sender's address is unnamed, so nobody can reply to it.
// A bound path stays on disk after the socket closes: remove it yourself.
#pragma once

#include "eddy/net/datagram_socket.hpp"
#include "eddy/net/peer_credentials.hpp"
#include "eddy/net/unix_address.hpp"

#include <string_view>
#include <utility>

namespace eddy::net {

/// A Unix-domain datagram socket on the calling core; see the top of this header, and
/// `datagram_socket` for sending and receiving. Move-only; dropping it closes the socket
/// (a bound path stays on disk).
class unix_datagram : public datagram_socket<unix_address> {
  public:
    /// An empty socket, not open: assign one made by `bind`, `unbound` or `pair`.
    unix_datagram() noexcept = default;

    /// A socket bound to `addr`. A path where a file already exists fails with EADDRINUSE,
    /// naming the path and saying a file is there (eddy never unlinks it for you); other
    /// errors name the address too.
    static result<unix_datagram> bind(const unix_address& addr);
    /// Same, from `"/path"` or `"@abstract"`; `errc::invalid_address` naming the text if it
    /// is not a Unix socket address.
    static result<unix_datagram> bind(std::string_view addr);
    /// A socket with no address: it can send, and receive replies only once connected.
    /// Errors: the system's, context "unix datagram socket".
    static result<unix_datagram> unbound();
    /// Two sockets connected to each other (socketpair), both unnamed. Errors: the system's,
    /// context "unix datagram socketpair".
    static result<std::pair<unix_datagram, unix_datagram>> pair();

    /// Fixes the peer: `send`/`recv` go to and come from `addr` only. Never waits. Errors
    /// name the address (ECONNREFUSED: nobody is bound there).
    result<void> connect(const unix_address& addr);

    /// Who made the other end (SO_PEERCRED), for a socket from `pair()`: this process. For
    /// any other socket, connected or not, the kernel records no peer and this gives pid 0
    /// and ids -1, not an error. Errors: the system's, context "SO_PEERCRED".
    result<peer_credentials> peer_cred() const;

  private:
    explicit unix_datagram(detail::socket_handle h) noexcept : datagram_socket(std::move(h)) {}
};

} // namespace eddy::net
