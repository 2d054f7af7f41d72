// What eddy-connect does once its arguments are parsed: one session per kind of socket.
// Each gives nothing when the session ended well, or the one line that says what failed
// ("cannot connect: connection refused: 127.0.0.1:9").
#pragma once

#include "eddy/eddy.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <string_view>

namespace eddy::samples::connect {

using failure = std::optional<std::string>;

eddy::task<failure> over_tcp(std::string address);
eddy::task<failure> over_unix(std::string path);
/// After stdin ends, waits for replies until none came for `wait`.
eddy::task<failure> over_udp(std::string address, eddy::clock::duration wait);

/// "WHAT: the error's message".
inline failure failed(std::string_view what, const eddy::error& why) {
    std::string line(what);
    line.append(": ").append(why.message());
    return line;
}

} // namespace eddy::samples::connect
