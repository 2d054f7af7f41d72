// The accept loop every listener (TCP, Unix) shares: it takes the next connection off a
// listening socket, waiting on the reactor while the queue is empty, retrying what the peer
// or the network caused, and backing off while the process is out of fds, so that a
// server's accept loop neither spins nor ends on a transient error.
//
//     auto h = co_await detail::accept_connection(listener_handle);
//     if (h) co_return tcp_stream(std::move(*h));
#pragma once

#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/runtime/task.hpp"

namespace eddy::net::detail {

/// The next connection on `listener` (which must outlive the call), non-blocking and
/// registered on the calling core. Errors: `errc::operation_canceled` when the runtime
/// stops or the listener is closed, or an error accept() cannot recover from (context
/// "accept"). Cancel-safe: cancelled, no connection has been taken from the queue.
task<result<socket_handle>> accept_connection(const socket_handle& listener);

} // namespace eddy::net::detail
