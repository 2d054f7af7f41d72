// eddy-echo: an RFC 862 echo server over TCP, one SO_REUSEPORT listener per core.
//
//     eddy-echo --listen 127.0.0.1:7000 [--threads N] [--log-level LEVEL]
//
// Each connection waits for readability without a buffer, reads into its core's buffer and
// writes the bytes straight back, so an idle connection holds no buffer at all. SIGINT or
// SIGTERM stop it with exit code 0.
#include "../common/cli.hpp"

#include "eddy/eddy.hpp"

#include <array>
#include <cstdio>
#include <memory>
#include <vector>

namespace {

using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

constexpr std::size_t buffer_size = 16 * 1024;

// One read buffer per core, shared by every connection of that core: a connection uses it
// only between a read and the write of the same bytes, and never waits in between (what a
// write cannot take at once is copied out first).
std::span<std::byte> core_buffer() {
    thread_local std::array<std::byte, buffer_size> buffer;
    return buffer;
}

eddy::task<> serve(tcp_stream s) {
    (void)s.set_nodelay(true);
    for (;;) {
        if (!co_await s.readable()) co_return;
        auto buf = core_buffer();
        auto n = s.try_read(buf);
        if (!n) {
            if (n.error() == eddy::errc::would_block) continue;
            spdlog::debug("read: {}", n.error().message());
            co_return;
        }
        if (*n == 0) co_return; // the client closed: so do we
        auto data = buf.first(*n);
        auto written = s.try_write(data);
        if (!written && written.error() != eddy::errc::would_block) co_return;
        const std::size_t done = written ? *written : 0;
        if (done < data.size()) {
            // The client reads slower than it writes: keep the rest, wait until it drains.
            std::vector<std::byte> rest(data.begin() + static_cast<std::ptrdiff_t>(done),
                                        data.end());
            if (!co_await eddy::io::write_all(s, rest)) co_return;
        }
    }
}

eddy::task<> accept_loop(tcp_listener& listener) {
    for (;;) {
        auto s = co_await listener.accept();
        if (!s) {
            if (s.error() != eddy::errc::operation_canceled)
                spdlog::error("accept: {}", s.error().message());
            co_return;
        }
        eddy::spawn(serve(std::move(*s))).detach();
    }
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"eddy-echo: RFC 862 echo server", "eddy-echo"};
    std::string listen;
    int threads = 1;
    spdlog::level::level_enum level = spdlog::level::warn;
    app.add_option("--listen", listen, "address to listen on, HOST:PORT (port 0: a free port)")
        ->required();
    app.add_option("--threads", threads, "cores to serve on, one listener each (0: one per CPU)")
        ->check(CLI::Range(0, 1024))
        ->default_str("1");
    eddy::samples::add_log_level(app, level);
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;
    spdlog::set_level(level);

    eddy::runtime rt{{.cores = static_cast<std::size_t>(threads)}};
    // Take SIGINT/SIGTERM now: from "listening on" on, a signal must stop us cleanly.
    auto stop_signal = eddy::signal::ctrl_c();
    const bool per_core = rt.cores() > 1;

    // Bind on core 0 first, so a bad address or a port in use fails before anything starts.
    auto first = rt.block_on([&]() -> eddy::task<eddy::result<tcp_listener>> {
        auto addrs = co_await eddy::net::resolve(listen);
        if (!addrs) co_return std::move(addrs).error();
        co_return tcp_listener::bind(addrs->front(), {.reuse_port = per_core});
    }());
    if (!first) {
        // The message names the address (as given, or as resolved).
        std::fprintf(stderr, "eddy-echo: cannot listen: %s\n", first.error().message().c_str());
        return 1;
    }
    const auto bound = first->local_addr().value();
    std::printf("listening on %s\n", bound.to_string().c_str());
    std::fflush(stdout);

    // `bound` by value: the other cores may still be starting when a signal ends this call.
    return rt.run_on_all_cores([&, bound]() -> eddy::task<> {
        if (eddy::current_core() == 0) {
            eddy::spawn([&]() -> eddy::task<> {
                if (co_await std::move(stop_signal)) rt.stop();
            }).detach();
            co_await accept_loop(*first);
            co_return;
        }
        auto mine = tcp_listener::bind(bound, {.reuse_port = true});
        if (!mine) {
            spdlog::error("core {}: cannot listen on {}: {}", eddy::current_core(),
                          bound.to_string(), mine.error().message());
            co_return;
        }
        co_await accept_loop(*mine);
    });
}
