// eddy-connect: a netcat-like client. Standard input goes to the socket and what the socket
// receives goes to standard output, both at once.
//
//     eddy-connect 127.0.0.1:7000                  TCP
//     eddy-connect 127.0.0.1:7000 --udp            each read of stdin is sent as one datagram
//     eddy-connect --unix /tmp/echo.sock           a Unix stream socket (or @NAME)
//
// Over a stream, the end of stdin shuts down the socket's sending side, and the program
// exits 0 once the server has closed its side. Over UDP there is no close: after stdin ends
// it keeps printing replies until none came for `--wait` seconds (more than 0, at most
// 3600). Exit 1 with one line on stderr when stdin cannot be read (a directory, closed),
// it cannot connect or the connection fails; exit 2 on bad arguments.
#include "../common/cli.hpp"
#include "../common/log.hpp"
#include "../common/seconds.hpp"
#include "../common/signals.hpp"
#include "sessions.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <optional>

namespace {

/// --wait's bound: more than an hour of silence is no answer to wait for.
constexpr double most_wait_seconds = 3600;

/// Why stdin cannot be read, or nothing. Asked before the runtime exists: with fd 0 closed,
/// the runtime's first fd (its epoll instance) would take number 0 and pass for stdin.
std::optional<std::string> stdin_unreadable() {
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) < 0)
        return errno == EBADF ? "fd 0 is closed" : eddy::error::from_errno(errno).message();
    if (S_ISDIR(st.st_mode)) return "is a directory";
    const int flags = ::fcntl(STDIN_FILENO, F_GETFL);
    if (flags >= 0 && (flags & O_ACCMODE) == O_WRONLY) return "is open for writing only";
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
    eddy::samples::ignore_sigpipe();
    CLI::App app{"eddy-connect: stdin to a socket, the socket to stdout", "eddy-connect"};
    std::string address, unix_path;
    bool udp = false;
    std::string wait_text = "1";
    spdlog::level::level_enum level = spdlog::level::warn;
    auto* addr_opt = app.add_option("address", address, "the server, HOST:PORT");
    auto* unix_opt =
        app.add_option("--unix", unix_path, "connect to a Unix stream socket at PATH (or @NAME)");
    auto* udp_flag = app.add_flag("--udp", udp, "send and receive UDP datagrams");
    app.add_option("--wait", wait_text,
                   "UDP: after stdin ends, exit once no reply came for this many seconds "
                   "(more than 0, at most 3600)")
        ->default_str("1");
    addr_opt->excludes(unix_opt);
    udp_flag->excludes(unix_opt);
    eddy::samples::add_log_level(app, level);
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;
    if (address.empty() && unix_path.empty())
        return eddy::samples::usage_error(app, "give the server as HOST:PORT, or --unix PATH");
    // 0 would end the session before the last datagram could have an answer.
    const auto wait = eddy::samples::parse_seconds(wait_text, most_wait_seconds);
    if (!wait)
        return eddy::samples::usage_error(
            app, "--wait: expected seconds, more than 0 and at most 3600, not '" + wait_text + "'");
    eddy::samples::log_to_stderr(level);
    if (const auto why = stdin_unreadable()) {
        std::fprintf(stderr, "eddy-connect: cannot read stdin: %s\n", why->c_str());
        return 1;
    }

    namespace connect = eddy::samples::connect;
    eddy::runtime rt{{.cores = 1}};
    eddy::samples::connect::failure outcome;
    if (!unix_path.empty())
        outcome = rt.block_on(connect::over_unix(unix_path));
    else if (udp)
        outcome = rt.block_on(connect::over_udp(address, *wait));
    else
        outcome = rt.block_on(connect::over_tcp(address));
    if (outcome) {
        std::fprintf(stderr, "eddy-connect: %s\n", outcome->c_str());
        return 1;
    }
    return 0;
}
