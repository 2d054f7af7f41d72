// eddy-echo: an RFC 862 echo server over TCP, UDP or a Unix stream socket.
//
//     eddy-echo --listen 127.0.0.1:7000 [--threads N] [--log-level LEVEL]
//     eddy-echo --listen 127.0.0.1:7000 --udp
//     eddy-echo --unix /tmp/echo.sock        (or --unix @name for an abstract socket)
//     eddy-echo --listen 127.0.0.1:7000 --fibers   (each connection served by a fiber)
//
// It prints "listening on ADDRESS" once it serves; SIGINT, SIGTERM or SIGHUP stop it with
// exit code 0 (removing its Unix socket file); SIGPIPE is ignored. Bad arguments exit 2 with
// one line on stderr; an address it cannot listen on exits 1 with one line naming it.
#include "../common/cli.hpp"
#include "../common/log.hpp"
#include "echo_server.hpp"
#include "fiber_echo.hpp"

int main(int argc, char** argv) {
    eddy::samples::ignore_sigpipe();
    namespace echo = eddy::samples::echo;
    CLI::App app{"eddy-echo: RFC 862 echo server over TCP, UDP or a Unix socket", "eddy-echo"};
    echo::settings s;
    bool udp = false;
    spdlog::level::level_enum level = spdlog::level::warn;
    auto* listen = app.add_option("--listen", s.listen,
                                  "address to listen on, HOST:PORT (port 0: a free port)");
    auto* unix_opt = app.add_option("--unix", s.unix_path,
                                    "serve on a Unix stream socket at PATH (or @NAME: abstract)");
    auto* udp_flag = app.add_flag("--udp", udp, "serve UDP datagrams instead of TCP");
    app.add_option("--threads", s.server.cores, "cores to serve on (0: one per CPU)")
        ->check(CLI::Range(0, 1024))
        ->default_str("1");
    auto* fibers_flag = app.add_flag(
        "--fibers", s.fibers,
        "serve each connection from a fiber, in blocking style (TCP and Unix streams)");
    listen->excludes(unix_opt);
    udp_flag->excludes(unix_opt);
    fibers_flag->excludes(udp_flag);
    eddy::samples::add_log_level(app, level);
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;
    if (s.listen.empty() && s.unix_path.empty())
        return eddy::samples::usage_error(app, "--listen HOST:PORT or --unix PATH is required");
    if (s.fibers && !echo::fibers_built)
        return eddy::samples::usage_error(app, "--fibers: this eddy was built without fibers");
    eddy::samples::log_to_stderr(level);

    if (!s.unix_path.empty()) return echo::serve_unix(s);
    return udp ? echo::serve_udp(s) : echo::serve_tcp(s);
}
