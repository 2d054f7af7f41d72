// `tcp_listener`: a listening TCP socket on the calling core.
//
//     auto l = eddy::net::tcp_listener::bind("127.0.0.1:0").value();   // port 0: a free one
//     spdlog::info("listening on {}", l.local_addr()->to_string());
//     for (;;) {
//         auto s = co_await l.accept();
//         if (s) eddy::spawn(serve(std::move(*s)));
//     }
//
// With `.reuse_port = true` every core can bind its own listener to one port and the kernel
// spreads connections over them (`runtime::run_on_all_cores`).
#pragma once

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/net/socket_address.hpp"
#include "eddy/net/tcp_stream.hpp"
#include "eddy/runtime/task.hpp"

#include <string_view>

namespace eddy::net {

/// How `tcp_listener::bind` sets up its socket: `bind(addr, {.reuse_port = true})`.
struct tcp_listener_options {
    /// SO_REUSEADDR: rebind at once after a restart, despite TIME_WAIT. Default on.
    bool reuse_addr = true;
    /// SO_REUSEPORT: several listeners (one per core) on one port. Default off.
    bool reuse_port = false;
    /// Pending-connection queue length given to listen(). Default 1024.
    int backlog = 1024;
};

/// A listening TCP socket on the calling core; see the top of this header. Use it (and the
/// streams it accepts) on that core. Move-only; dropping it closes the socket.
class tcp_listener {
  public:
    /// An empty listener, not bound: assign one made by `bind`.
    tcp_listener() noexcept = default;

    /// Binds and listens; never blocks. Errors name the address ("Address already in use:
    /// 127.0.0.1:80"): the system's error of socket, setsockopt, bind or listen.
    static result<tcp_listener> bind(const socket_address& addr, tcp_listener_options opts = {});
    /// Same, from a numeric `"HOST:PORT"` (names need `resolve` first: binding never blocks);
    /// `errc::invalid_address` naming the text if it does not parse.
    static result<tcp_listener> bind(std::string_view addr, tcp_listener_options opts = {});

    /// The next connection, its stream on the calling core. Transient failures (the peer
    /// gave up, no fds left) are retried here, with a back-off of 10 ms to 1 s while fds are
    /// short, so the accept loop never spins or ends. Errors left:
    /// `errc::operation_canceled` when the runtime stops or the listener is closed; an error
    /// accept() cannot recover from (context "accept"); the reactor's refusal of the new
    /// socket (which is then closed). Cancel-safe: cancelled, no connection is taken from
    /// the queue.
    task<result<tcp_stream>> accept();

    /// The bound address (the kernel's pick after port 0). Errors: the system's, context
    /// "getsockname".
    result<socket_address> local_addr() const;
    /// The fd, for socket options eddy does not wrap (-1 when not bound). Do not close it.
    int native_handle() const noexcept { return handle_.fd(); }

  private:
    explicit tcp_listener(detail::socket_handle h) noexcept : handle_(std::move(h)) {}
    detail::socket_handle handle_;
};

} // namespace eddy::net
