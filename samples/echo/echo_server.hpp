// The three ways eddy-echo serves (RFC 862): over TCP, over UDP, and over a Unix stream
// socket. Each starts and stops as every sample server does (../common/server.hpp): it binds
// first (a bad address or one in use is reported before anything starts), prints "listening
// on ADDRESS", and serves until SIGINT, SIGTERM or SIGHUP.
#pragma once

#include "../common/server.hpp"

#include <string>

namespace eddy::samples::echo {

struct settings {
    std::string listen;    ///< HOST:PORT for TCP and UDP
    std::string unix_path; ///< the Unix socket's path or @name, when serving on one
    server_options server{.program = "eddy-echo"}; ///< cores: 1 unless --threads says
    bool fibers = false; ///< serve each stream connection from a fiber (--fibers)
};

/// Each returns the process exit code: 0 after a signal, 1 if it could not start (with one
/// line "eddy-echo: cannot listen: WHY" on stderr).
int serve_tcp(const settings& s);
int serve_udp(const settings& s);
int serve_unix(const settings& s);

} // namespace eddy::samples::echo
