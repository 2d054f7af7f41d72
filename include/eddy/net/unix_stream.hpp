// `unix_stream`: a connected Unix stream socket on the calling core. Its read, write,
// readable, writable, try_read, try_write and shutdown are `stream_socket`'s
// (net/stream_socket.hpp, documented there); its halves come from `splittable` (net/split.hpp).
//
//     auto s = co_await eddy::net::unix_stream::connect("/run/app.sock");   // or "@app"
//     if (!s) co_return s.error();            // "no such file or directory: /run/app.sock"
//     co_await eddy::io::write_all(*s, bytes);
//     auto [a, b] = eddy::net::unix_stream::pair().value();   // two connected ends, no name
//
// The same reads, writes, readiness waits and halves as `tcp_stream` (both are stream
// sockets), so every `io::` algorithm works on it; `peer_cred()` says which process, user
// and group is on the other end. Writes never raise SIGPIPE. Use it on the core that made it.
#pragma once

#include "eddy/net/peer_credentials.hpp"
#include "eddy/net/split.hpp"
#include "eddy/net/stream_socket.hpp"
#include "eddy/net/unix_address.hpp"
#include "eddy/runtime/task.hpp"

#include <chrono>
#include <string>
#include <utility>

namespace eddy::net {

/// A connected Unix stream socket on the calling core; see the top of this header, and
/// `stream_socket` for reading and writing. Move-only; dropping it closes the socket.
class unix_stream : public stream_socket, public splittable<unix_stream> {
  public:
    /// An empty stream, not open: assign one made by `connect`, `accept` or `pair`.
    unix_stream() noexcept = default;
    /// Adopts a connected socket (from `unix_listener::accept`).
    explicit unix_stream(detail::socket_handle h) noexcept : stream_socket(std::move(h)) {}
    /// Adopts a connected Unix stream socket on the calling core: one `into_fd` gave up on
    /// another core, or one inherited or received. A blocking fd is made non-blocking
    /// (O_NONBLOCK is set on its open file description, which its dups share). On error the
    /// fd is left as it was, open and still the caller's to close: `errc::invalid_argument`
    /// for an fd that is not a connected Unix stream socket, saying what it is ("not a Unix
    /// stream socket: fd 7 is a TCP socket"); `std::errc::file_exists` when a socket on this
    /// core owns the fd already; the system's error (EBADF...) naming the fd.
    static result<unix_stream> from_fd(int fd);

    /// Connects to `addr` without blocking the core. Errors name the address: "no such
    /// file or directory: /run/app.sock" (no socket there), "connection refused:
    /// /run/app.sock" (a socket file nobody listens on). While the listener's queue is
    /// full it keeps retrying, with pauses of up to 100 ms (`errc::operation_canceled` if
    /// the runtime stops meanwhile): bound it with the `limit` overload or `eddy::timeout`.
    /// Cancel-safe: cancelled, the unconnected socket is closed and nothing was sent.
    static task<result<unix_stream>> connect(unix_address addr);
    /// Same, from a path or `"@name"`; an address that does not parse gives
    /// `errc::invalid_address` naming it. Cancel-safe.
    static task<result<unix_stream>> connect(std::string addr);
    /// The same, given up after `limit` (a full queue included): then `errc::timed_out`
    /// naming the address, "operation timed out: /run/app.sock". Cancel-safe.
    static task<result<unix_stream>> connect(unix_address addr,
                                             std::chrono::steady_clock::duration limit);
    /// From a path or `"@name"`, given up after `limit`: then `errc::timed_out` naming the
    /// text; `errc::invalid_address` if it does not parse. Cancel-safe.
    static task<result<unix_stream>> connect(std::string addr,
                                             std::chrono::steady_clock::duration limit);

    /// Two streams connected to each other (socketpair), e.g. to talk to a child process
    /// or between two tasks. Errors: the system's (EMFILE...), with context "socketpair".
    static result<std::pair<unix_stream, unix_stream>> pair();

    /// This end's address: unnamed for a client and for a pair; the listener's for a
    /// stream it accepted. Errors: the system's, context "getsockname".
    result<unix_address> local_addr() const;
    /// The other end's address: the listener's for a client; usually unnamed for an
    /// accepted stream. Errors: the system's, context "getpeername".
    result<unix_address> peer_addr() const;
    /// Process, user and group of the other end (SO_PEERCRED); see peer_credentials.hpp.
    /// Errors: the system's, context "SO_PEERCRED".
    result<peer_credentials> peer_cred() const;
};

} // namespace eddy::net
