// What eddy-loadgen is asked to do: its mode and settings, read from the command line.
//
//     auto parsed = loadgen::parse_options(argc, argv);
//     if (auto* why = std::get_if<std::string>(&parsed)) { /* usage error */ }
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <variant>

namespace loadgen {

enum class run_mode { pingpong, stream, udp, idle, probe };

struct options {
    run_mode mode = run_mode::pingpong;
    sockaddr_storage server{}; ///< --host (loopback only, default 127.0.0.1) and --port
    socklen_t server_len = 0;  ///< the length of `server`
    int conns = 1;             ///< --conns: connections (udp: sockets). Default 1
    std::size_t size = 64;     ///< --size: message, chunk or datagram bytes. Default 64
    double secs = 5;           ///< --secs: measured seconds (5); idle: hold (1); probe: limit (10)
    double warmup = 1;         ///< --warmup: seconds run before measuring. Default 1
    std::size_t window = 0;    ///< --window: stream's unechoed bytes a connection allows;
                               ///< 0 (default): 4 x size
    double connect_timeout = 10; ///< --connect-timeout: seconds to open every connection
    int timeout_ms = 100;        ///< --timeout-ms: udp, a datagram not echoed by then is lost
    pid_t pid = 0;               ///< --pid: the server, whose CPU time (and RSS) is read
    bool udp = false;            ///< --udp: probe a UDP echo server instead of a TCP one
};

/// The largest --size of a TCP mode, and the most bytes one read takes.
inline constexpr std::size_t max_chunk = 64 * 1024;

/// The one-line summary of the command line, printed after a usage error.
extern const char* const usage_line;

/// The options on the command line, or why they are wrong.
std::variant<options, std::string> parse_options(int argc, char** argv);

} // namespace loadgen
