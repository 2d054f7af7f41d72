// eddy-proxy: a TCP proxy. Every client that connects is connected to the upstream server,
// and the bytes go both ways until both sides have ended (a half-close is passed on).
//
//     eddy-proxy --listen 127.0.0.1:8000 --to 127.0.0.1:7000 [--threads N]
//                [--connect-timeout SECONDS] [--log-level LEVEL]
//
// An upstream that refuses or does not answer within --connect-timeout (default 5 s,
// fractions allowed) closes that client's connection with a warning on stderr naming the
// upstream and why; the proxy goes on. It prints "listening on ADDRESS" once it serves;
// SIGINT, SIGTERM or SIGHUP stop it with exit code 0; SIGPIPE is ignored. Bad arguments
// exit 2 with one line on stderr; an address it cannot listen on exits 1 with one line.
#include "../common/cli.hpp"
#include "../common/log.hpp"
#include "../common/seconds.hpp"
#include "../common/signals.hpp"
#include "relay.hpp"

#include <optional>
#include <string>

namespace {

/// More than an hour is no limit for a connect (the kernel gives up long before).
constexpr double most_connect_seconds = 3600;

/// Why `to` cannot be an upstream address, or nothing: it is checked once here, so a typo
/// is a usage error rather than a warning for every client.
std::optional<std::string> bad_upstream(const std::string& to) {
    auto parts = eddy::net::split_host_port(to);
    if (!parts) return parts.error().message();
    if (parts->second == 0) return "port 0 in '" + to + "': an upstream needs a real port";
    return std::nullopt;
}

} // namespace

int main(int argc, char** argv) {
    eddy::samples::ignore_sigpipe();
    namespace proxy = eddy::samples::proxy;
    CLI::App app{"eddy-proxy: a TCP proxy to one upstream server", "eddy-proxy"};
    proxy::settings s;
    std::string limit_text = "5";
    spdlog::level::level_enum level = spdlog::level::warn;
    app.add_option("--listen", s.listen, "address to listen on, HOST:PORT (port 0: a free port)")
        ->required();
    app.add_option("--to", s.upstream, "upstream server to connect each client to, HOST:PORT")
        ->required();
    app.add_option("--threads", s.server.cores, "cores to serve on (0: one per CPU)")
        ->check(CLI::Range(0, 1024))
        ->default_str("1");
    app.add_option("--connect-timeout", limit_text,
                   "seconds to wait for the upstream to accept a connection (more than 0, at "
                   "most 3600; fractions allowed)")
        ->default_str("5");
    eddy::samples::add_log_level(app, level);
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;
    if (auto why = bad_upstream(s.upstream))
        return eddy::samples::usage_error(app, "--to: " + *why);
    const auto limit = eddy::samples::parse_seconds(limit_text, most_connect_seconds);
    if (!limit)
        return eddy::samples::usage_error(
            app, "--connect-timeout: expected seconds, more than 0 and at most 3600, not '" +
                     limit_text + "'");
    s.connect_limit = *limit;
    eddy::samples::log_to_stderr(level);
    return proxy::serve(s);
}
