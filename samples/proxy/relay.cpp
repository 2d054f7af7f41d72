// eddy-proxy's connections: every accepted client is relayed on the core that accepted it,
// as a detached task that owns both streams, so an ended relay closes both.
#include "relay.hpp"

#include "../common/accept_loop.hpp"
#include "../common/socket_per_core.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace eddy::samples::proxy {

namespace {

using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

/// "client 127.0.0.1:5000", or "a client" when the kernel no longer knows its address.
std::string client_name(const tcp_stream& client) {
    auto peer = client.peer_addr();
    return peer ? "client " + peer->to_string() : std::string("a client");
}

eddy::task<> relay(tcp_stream client, std::string upstream, eddy::clock::duration limit) {
    auto server = co_await tcp_stream::connect(upstream, limit);
    if (!server) {
        // The runtime stopping is no failure; anything else ends this client's connection
        // (`client` closes as the task ends), never the proxy.
        if (server.error() != eddy::errc::operation_canceled)
            spdlog::warn("{}: cannot connect to upstream {}: {}", client_name(client), upstream,
                         server.error().message());
        co_return;
    }
    (void)server->set_nodelay(true);
    auto copied = co_await eddy::io::copy_bidirectional(client, *server);
    if (!copied && copied.error() != eddy::errc::operation_canceled)
        spdlog::debug("{}: relay to {} ended: {}", client_name(client), upstream,
                      copied.error().message());
}

/// Starts a relay for each accepted client. A named type, not a capturing lambda: g++ 12
/// mishandles a lambda's captured string when the lambda is made inside a coroutine.
struct relay_each {
    std::string upstream;
    eddy::clock::duration limit;

    void operator()(tcp_stream client) const {
        (void)client.set_nodelay(true);
        eddy::spawn(relay(std::move(client), upstream, limit)).detach();
    }
};

struct accept_on {
    relay_each take;
    eddy::task<> operator()(tcp_listener& listener) const { return accept_loop(listener, take); }
};

} // namespace

int serve(const settings& s) {
    return run_socket_per_core_server<tcp_listener>(
        s.server, s.listen, accept_on{relay_each{s.upstream, s.connect_limit}});
}

} // namespace eddy::samples::proxy
