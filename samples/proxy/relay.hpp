// What eddy-proxy does once its arguments are parsed: one SO_REUSEPORT listener per core
// (../common/socket_per_core.hpp), and for each client a connection to the upstream server
// with the two streams copied into each other, half-closes passed on.
#pragma once

#include "../common/server.hpp"

#include "eddy/eddy.hpp"

#include <chrono>
#include <string>

namespace eddy::samples::proxy {

struct settings {
    std::string listen;   ///< HOST:PORT to accept clients on
    std::string upstream; ///< HOST:PORT each client is connected to; a name is resolved anew
                          ///< for each client
    /// How long one upstream connect may take (resolving included). Default 5 s.
    eddy::clock::duration connect_limit = std::chrono::seconds(5);
    server_options server{.program = "eddy-proxy"}; ///< cores: 1 unless --threads says
};

/// Serves until SIGINT, SIGTERM or SIGHUP, then gives 0; gives 1 if it cannot listen (one
/// line "eddy-proxy: cannot listen: WHY" on stderr). An upstream that refuses, times out or
/// fails closes that client's connection and logs a warning naming the upstream and why;
/// the proxy goes on serving.
int serve(const settings& s);

} // namespace eddy::samples::proxy
