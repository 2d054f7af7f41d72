// `unix_listener`: a listening Unix stream socket on the calling core.
//
//     auto l = eddy::net::unix_listener::bind("/run/app.sock").value();   // or "@app"
//     for (;;) {
//         auto s = co_await l.accept();
//         if (s) eddy::spawn(serve(std::move(*s)));
//     }
//
// Binding a path creates a socket file there. Dropping the listener does NOT remove that
// file (as in Tokio): remove it when the server ends (`std::filesystem::remove`), or bind an
// abstract name ("@app"), which leaves nothing on disk. Binding never removes a file either,
// so it fails while one exists at the path - even a stale socket of a server that died.
#pragma once

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/net/unix_address.hpp"
#include "eddy/net/unix_stream.hpp"
#include "eddy/runtime/task.hpp"

#include <string_view>

namespace eddy::net {

/// How `unix_listener::bind` sets up its socket: `bind(addr, {.backlog = 64})`.
struct unix_listen_options {
    /// Pending-connection queue length given to listen(). Default 1024.
    int backlog = 1024;
};

/// A listening Unix stream socket on the calling core; see the top of this header. Use it
/// (and the streams it accepts) on that core. Move-only; dropping it closes the socket but
/// leaves a bound path on disk.
class unix_listener {
  public:
    /// An empty listener, not bound: assign one made by `bind`.
    unix_listener() noexcept = default;

    /// Binds and listens; the unnamed address gets an abstract name the kernel picks (see
    /// `local_addr`). Errors name the address: "address already in use: /tmp/x.sock (a file
    /// exists at that path; remove it if no server uses it)", "no such file or directory:
    /// /no/dir/x.sock", "permission denied: ...".
    static result<unix_listener> bind(const unix_address& addr, unix_listen_options opts = {});
    /// Same, from a path or `"@name"`; one that does not parse gives
    /// `errc::invalid_address` naming it.
    static result<unix_listener> bind(std::string_view addr, unix_listen_options opts = {});

    /// The next connection, its stream on the calling core. Transient failures (no fds
    /// left...) are retried here, with a back-off, exactly as `tcp_listener::accept` does.
    /// Errors left: `errc::operation_canceled` when the runtime stops or the listener is
    /// closed; an error accept() cannot recover from (context "accept"); the reactor's
    /// refusal of the new socket (which is then closed). Cancel-safe: cancelled, no
    /// connection is taken from the queue.
    task<result<unix_stream>> accept();

    /// The bound address. Errors: the system's, context "getsockname".
    result<unix_address> local_addr() const;
    /// The fd, for socket options eddy does not wrap (-1 when not bound). Do not close it.
    int native_handle() const noexcept { return handle_.fd(); }

  private:
    explicit unix_listener(detail::socket_handle h) noexcept : handle_(std::move(h)) {}
    detail::socket_handle handle_;
};

} // namespace eddy::net
