// eddy-chat's server: the line-based chat of Tokio's chat example, with limits, on one or
// more cores. It starts and stops as every sample server does (../common/server.hpp): it
// binds first, prints "listening on ADDRESS", and serves until SIGINT, SIGTERM or SIGHUP,
// when it tells every client that it is shutting down and closes the connections.
//
// The pieces: a `room` per core holds that core's clients (room.hpp); a `session` is one
// client's reader and writer (session.hpp); `fan_out` carries each line once to every other
// core (fan_out.hpp); `chat_core` ties them together on one core (core.hpp).
#pragma once

#include "../common/server.hpp"

#include <cstddef>
#include <string>

namespace eddy::samples::chat {

struct settings {
    std::string listen;          ///< HOST:PORT
    std::size_t max_line = 8192; ///< longest line (without its newline) passed on, in bytes
    std::size_t queue = 1024;    ///< lines queued to a client before it is disconnected
    server_options server{.program = "eddy-chat"}; ///< cores: 1 unless --threads says
};

/// Serves until a stop signal; returns the exit code: 0 after a signal, 1 if it could not
/// start (with one line "eddy-chat: cannot listen: WHY" on stderr).
int serve(const settings& s);

} // namespace eddy::samples::chat
