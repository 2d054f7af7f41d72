// TCP echo: one SO_REUSEPORT listener per core, so accepted sockets never change core. Each
// connection is the seed's echo: split it, copy the read half into the write half.
#include "../common/accept_loop.hpp"
#include "../common/socket_per_core.hpp"
#include "echo_server.hpp"
#include "fiber_echo.hpp"

namespace eddy::samples::echo {

namespace {

using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

// The README's first server quotes this function (test/readme_test.cpp checks that it does).
// readme-quote-begin
eddy::task<> serve(eddy::net::tcp_stream s) {
    auto [rd, wr] = s.split();
    co_await eddy::io::copy(rd, wr); // until the client's end of stream, or an error
}
// readme-quote-end

} // namespace

int serve_tcp(const settings& s) {
    return run_socket_per_core_server<tcp_listener>(
        s.server, s.listen, [fibers = s.fibers](tcp_listener& listener) {
            return accept_loop(listener, [fibers](tcp_stream c) {
                (void)c.set_nodelay(true);
                serve_connection(std::move(c), fibers, serve);
            });
        });
}

} // namespace eddy::samples::echo
