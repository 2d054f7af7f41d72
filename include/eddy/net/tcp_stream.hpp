// `tcp_stream`: a connected TCP socket on the calling core. Its read, write, readable,
// writable, try_read, try_write and shutdown are `stream_socket`'s (net/stream_socket.hpp,
// documented there); its halves come from `splittable` (net/split.hpp).
//
//     auto s = co_await eddy::net::tcp_stream::connect("127.0.0.1:7000");
//     if (!s) co_return s.error();
//     co_await eddy::io::write_all(*s, bytes);
//     std::array<std::byte, 4096> buf;
//     auto n = co_await s->read(buf);                 // 0: the peer closed
//
// Reads and writes wait for readiness on the core's reactor; `readable()` + `try_read` let a
// server wait without a buffer. `split()` / `into_split()` give read and write halves. Writes
// never raise SIGPIPE. A stream belongs to the core that made it: use it there.
#pragma once

#include "eddy/net/socket_address.hpp"
#include "eddy/net/split.hpp"
#include "eddy/net/stream_socket.hpp"
#include "eddy/runtime/task.hpp"

#include <chrono>
#include <optional>
#include <string_view>

namespace eddy::net {

/// A connected TCP socket on the calling core; see the top of this header, and
/// `stream_socket` for reading and writing. Move-only; dropping it closes the socket.
class tcp_stream : public stream_socket, public splittable<tcp_stream> {
  public:
    /// An empty stream, not open: assign one made by `connect` or `accept`.
    tcp_stream() noexcept = default;
    /// Adopts a connected socket (from `tcp_listener::accept`).
    explicit tcp_stream(detail::socket_handle h) noexcept : stream_socket(std::move(h)) {}
    /// Adopts a connected TCP socket (IPv4 or IPv6) on the calling core: one `into_fd` gave
    /// up on another core, or one inherited. A blocking fd is made non-blocking (O_NONBLOCK
    /// is set on its open file description, which its dups share), so no read can block the
    /// core. On error the fd is left as it was, open and still the caller's to close:
    /// `errc::invalid_argument` for an fd that is not a connected TCP socket, saying what it
    /// is ("not a TCP socket: fd 7 is a pipe"); `std::errc::file_exists` when a socket on
    /// this core owns the fd already; the system's error (EBADF...) naming the fd.
    static result<tcp_stream> from_fd(int fd);

    /// Connects to `addr` without blocking the core. Errors name the address, e.g.
    /// "connection refused: 127.0.0.1:9"; `errc::operation_canceled` when the runtime stops.
    /// It waits as long as the kernel tries (minutes for a peer that never answers): bound
    /// it with the `limit` overload. Cancel-safe: cancelled, the half-open socket is closed.
    static task<result<tcp_stream>> connect(socket_address addr);
    /// Resolves `"host:port"` (see `resolve`) and connects to the first address that accepts.
    /// Errors: `resolve`'s `errc::invalid_address`; otherwise the last address's error,
    /// naming it. Cancel-safe as above; cancelled while resolving, the lookup runs to its
    /// end on the blocking pool and its result is dropped.
    static task<result<tcp_stream>> connect(std::string host_port);
    /// The same, given up after `limit`: then `errc::timed_out` naming the address,
    /// "operation timed out: 10.0.0.1:80" (a bare `eddy::timeout` around `connect` gives the
    /// code alone). Other errors as above. Cancel-safe.
    static task<result<tcp_stream>> connect(socket_address addr,
                                            std::chrono::steady_clock::duration limit);
    /// From `"host:port"`, given up after `limit`, resolving included: then
    /// `errc::timed_out` naming the text. Other errors as above. Cancel-safe.
    static task<result<tcp_stream>> connect(std::string host_port,
                                            std::chrono::steady_clock::duration limit);

    /// This end's address. Errors: the system's, context "getsockname".
    result<socket_address> local_addr() const;
    /// The peer's address. Errors: the system's, context "getpeername" (ENOTCONN once the
    /// connection is gone).
    result<socket_address> peer_addr() const;

    /// TCP_NODELAY: send small writes at once instead of batching them (Nagle). Errors: the
    /// system's, context "TCP_NODELAY".
    result<void> set_nodelay(bool on);
    /// Whether TCP_NODELAY is set. Errors: the system's, context "TCP_NODELAY".
    result<bool> nodelay() const;
    /// SO_KEEPALIVE; with `idle` (and `on`), also the idle time before the first probe
    /// (TCP_KEEPIDLE, 1 to 32767 s). Errors: the system's, context "SO_KEEPALIVE" or
    /// "TCP_KEEPIDLE" (EINVAL for an idle time out of range).
    result<void> set_keepalive(bool on, std::optional<std::chrono::seconds> idle = std::nullopt);
};

} // namespace eddy::net
