// A UDP session: each read of stdin goes out as one datagram; each datagram that comes back
// goes to stdout. UDP has no end of stream, so the session ends a quiet period after stdin.
#include "sessions.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

namespace eddy::samples::connect {

namespace {

constexpr std::size_t max_datagram = 65507;

// While stdin is open, the receiver waits at least this long before it looks again whether
// stdin ended or failed: a tiny --wait must not make it spin.
constexpr eddy::clock::duration stdin_check_period = std::chrono::milliseconds(100);

/// How the sending side is doing, for the receiving side to decide when to stop.
struct sending {
    bool stdin_ended = false;
    failure failed_with;
};

eddy::task<> send_stdin(eddy::net::udp_socket& socket, sending& state) {
    auto in = eddy::io::stdin();
    std::vector<std::byte> buf(max_datagram);
    for (;;) {
        auto n = co_await in.read(buf);
        if (!n) {
            state.failed_with = failed("reading stdin", n.error());
            co_return;
        }
        if (*n == 0) break;
        auto sent = co_await socket.send(std::span(buf).first(*n));
        if (!sent) {
            state.failed_with = failed("sending", sent.error());
            co_return;
        }
    }
    state.stdin_ended = true;
}

} // namespace

eddy::task<failure> over_udp(std::string address, eddy::clock::duration wait) {
    auto addrs = co_await eddy::net::resolve(address);
    if (!addrs) co_return failed("cannot connect", addrs.error());
    const auto server = addrs->front();
    auto any = eddy::net::socket_address::parse(server.is_v6() ? "[::]:0" : "0.0.0.0:0").value();
    auto socket = eddy::net::udp_socket::bind(any);
    if (!socket) co_return failed("cannot bind", socket.error());
    if (auto c = socket->connect(server); !c) co_return failed("cannot connect", c.error());

    sending state;
    auto sender = eddy::spawn(send_stdin(*socket, state));
    auto out = eddy::io::stdout();
    std::vector<std::byte> buf(max_datagram);
    failure outcome;
    for (;;) {
        if (state.failed_with) {
            outcome = std::move(*state.failed_with);
            break;
        }
        const auto quiet_limit = state.stdin_ended ? wait : std::max(wait, stdin_check_period);
        auto got = co_await eddy::timeout(quiet_limit, socket->recv(buf));
        if (!got) {
            if (got.error() != eddy::errc::timed_out) {
                // On a connected UDP socket, "connection refused" means the server's host
                // said nothing listens on that port.
                std::string what = "receiving from ";
                what.append(server.to_string());
                outcome = failed(what, got.error());
                break;
            }
            if (state.stdin_ended) break; // quiet for `wait` after the last send: done
            continue;
        }
        auto written = co_await eddy::io::write_all(out, std::span(buf).first(*got));
        if (!written) {
            outcome = failed("writing stdout", written.error());
            break;
        }
    }
    sender.abort();
    co_return outcome;
}

} // namespace eddy::samples::connect
