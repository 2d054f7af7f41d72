// The real eddy-echo binary for the integration tests: its path (from the EDDY_ECHO
// environment variable, which test/meson.build sets) and its start; and the wait for any
// sample server's "listening on ADDRESS".
#pragma once

#include "child_process.hpp"

#include "eddy/net/socket_address.hpp"

#include <catch2/catch_test_macros.hpp>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

namespace eddy_test {

inline std::string echo_binary() {
    const char* path = std::getenv("EDDY_ECHO");
    if (!path || !*path) FAIL("EDDY_ECHO is not set: run this test through meson test");
    return path;
}

/// eddy-echo's command line: its path, `args`, and the mode the test run asks for through
/// EDDY_ECHO_MODE (test/meson.build runs the echo tests once plainly and once with
/// "--fibers"). UDP has no connections to serve from fibers: a UDP test skips in that mode.
inline std::vector<std::string> echo_command(std::vector<std::string> args) {
    const char* mode = std::getenv("EDDY_ECHO_MODE");
    if (mode && *mode) {
        if (std::find(args.begin(), args.end(), "--udp") != args.end())
            SKIP("eddy-echo " << mode << " serves stream connections; UDP has none");
        args.insert(args.begin(), mode);
    }
    args.insert(args.begin(), echo_binary());
    return args;
}

/// Waits for a started sample server's "listening on ADDRESS" line (`program` names it in a
/// failure) and gives the address: an IPv4 one with a real port.
inline eddy::net::socket_address await_listening(child_process& server,
                                                 const std::string& program) {
    auto line = server.read_stdout_line(startup_limit);
    if (!line) FAIL(program << " printed no line within the time limit");
    const std::string prefix = "listening on ";
    INFO("first line: " << *line);
    REQUIRE(line->starts_with(prefix));
    auto addr = eddy::net::socket_address::parse(line->substr(prefix.size()));
    REQUIRE(addr);
    CHECK(addr->is_v4());
    CHECK(addr->port() != 0);
    return *addr;
}

/// Waits for a started eddy-echo's "listening on ADDRESS" line and gives the address.
inline eddy::net::socket_address start_echo(child_process& server) {
    return await_listening(server, "eddy-echo");
}

} // namespace eddy_test
