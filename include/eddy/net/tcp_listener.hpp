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

struct tcp_listener_options {
    /// SO_REUSEADDR: rebind at once after a restart, despite TIME_WAIT. Default on.
    bool reuse_addr = true;
    /// SO_REUSEPORT: several listeners (one per core) on one port. Default off.
    bool reuse_port = false;
    /// Pending-connection queue length given to listen(). Default 1024.
    int backlog = 1024;
};

class tcp_listener {
  public:
    tcp_listener() noexcept = default;

    /// Binds and listens. Errors name the address ("Address already in use: 127.0.0.1:80").
    static result<tcp_listener> bind(const socket_address& addr, tcp_listener_options opts = {});
    /// Same, from a numeric "HOST:PORT" (names need `resolve` first: binding never blocks).
    static result<tcp_listener> bind(std::string_view addr, tcp_listener_options opts = {});

    /// The next connection. Transient failures (the peer gave up, no fds left) are retried
    /// here, with a back-off while fds are short, so the accept loop never spins or ends;
    /// the error cases left are a closed listener and a stopping runtime.
    /// Cancel-safe: cancelled, no connection is taken from the queue.
    task<result<tcp_stream>> accept();

    result<socket_address> local_addr() const;
    int native_handle() const noexcept { return handle_.fd(); }

  private:
    explicit tcp_listener(detail::socket_handle h) noexcept : handle_(std::move(h)) {}
    detail::socket_handle handle_;
};

} // namespace eddy::net
