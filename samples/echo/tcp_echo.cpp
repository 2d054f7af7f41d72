// TCP echo: one SO_REUSEPORT listener per core, so accepted sockets never change core.
#include "../common/accept_loop.hpp"
#include "../common/socket_per_core.hpp"
#include "echo_server.hpp"
#include "stream_echo.hpp"

namespace eddy::samples::echo {

namespace {

using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

void serve_here(tcp_stream s) {
    (void)s.set_nodelay(true);
    eddy::spawn(serve_stream(std::move(s))).detach();
}

eddy::task<> accept_connections(tcp_listener& listener) {
    return accept_loop(listener, serve_here);
}

} // namespace

int serve_tcp(const settings& s) {
    return run_socket_per_core_server<tcp_listener>(s.server, s.listen, accept_connections);
}

} // namespace eddy::samples::echo
