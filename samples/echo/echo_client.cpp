// eddy-echo-client: sends each LINE to an echo server and prints what comes back.
//
//     eddy-echo-client 127.0.0.1:7000 "hello" "second line"
//
// Exits 0 when every line came back unchanged, 1 otherwise (one line on stderr says why).
#include "../common/cli.hpp"
#include "../common/log.hpp"
#include "../common/signals.hpp"

#include "eddy/eddy.hpp"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;

eddy::task<eddy::result<void>> run(std::string address, std::vector<std::string> lines) {
    auto stream = co_await eddy::timeout(5s, eddy::net::tcp_stream::connect(address));
    if (!stream) co_return std::move(stream).error();
    for (auto& line : lines) {
        const std::string sent = line + "\n";
        auto wrote = co_await eddy::io::write_all(*stream, std::as_bytes(std::span(sent)));
        if (!wrote) co_return wrote;
        std::string back(sent.size(), '\0');
        auto got = co_await eddy::timeout(
            5s, eddy::io::read_exact(*stream, std::as_writable_bytes(std::span(back))));
        if (!got) co_return got;
        if (back != sent) co_return eddy::error(eddy::errc::invalid_argument, "echo differs");
        std::printf("echoed: %s\n", line.c_str());
    }
    co_return eddy::ok();
}

} // namespace

int main(int argc, char** argv) {
    eddy::samples::ignore_sigpipe();
    CLI::App app{"eddy-echo-client: send lines to an echo server", "eddy-echo-client"};
    std::string address;
    std::vector<std::string> lines;
    spdlog::level::level_enum level = spdlog::level::warn;
    app.add_option("address", address, "server address, HOST:PORT")->required();
    app.add_option("lines", lines, "lines to send");
    eddy::samples::add_log_level(app, level);
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;
    eddy::samples::log_to_stderr(level);

    eddy::runtime rt;
    auto done = rt.block_on(run(address, lines));
    if (!done) {
        std::fprintf(stderr, "eddy-echo-client: %s: %s\n", address.c_str(),
                     done.error().message().c_str());
        return 1;
    }
    return 0;
}
