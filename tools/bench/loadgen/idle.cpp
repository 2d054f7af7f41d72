// idle: how much memory a server spends on a connection that does nothing. The server's RSS
// is read, --conns connections are opened, each proves the server serves it with a 1-byte
// echo, all are held --secs (one that the server closes or writes to meanwhile is an error),
// and the RSS is read again.
#include "measure.hpp"
#include "modes.hpp"
#include "sockets.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace loadgen {
namespace {

struct idle_counts {
    std::size_t served = 0;
    std::uint64_t errors = 0;
};

// Sends one pattern byte on each connection and waits (within the connect timeout) for each
// echo; closes the connections that fail. Gives the counts.
idle_counts prove_served(const options& opts, std::vector<owned_fd>& conns, epoll_set& poller) {
    const pattern bytes(1);
    idle_counts counts;
    std::vector<bool> answered(conns.size());
    std::size_t waiting = 0;
    for (std::size_t i = 0; i < conns.size(); ++i) {
        const auto index = static_cast<std::uint32_t>(i);
        if (!poller.add(conns[i].get(), EPOLLIN | EPOLLRDHUP, index) ||
            ::send(conns[i].get(), bytes.at(pattern::start_of(i)), 1, MSG_NOSIGNAL) != 1) {
            complain("could not send the first byte");
            conns[i].reset();
            ++counts.errors;
            continue;
        }
        ++waiting;
    }
    const std::uint64_t deadline =
        now_ns() + static_cast<std::uint64_t>(opts.connect_timeout * 1e9);
    while (waiting > 0) {
        const int wait_ms = millis_until(deadline);
        if (wait_ms == 0) break;
        for (const epoll_event& ev : poller.wait(wait_ms)) {
            const std::size_t i = ev.data.u32;
            if (answered[i]) { // more than the byte sent, or a close: not an echo server
                complain("a connection got more than its 1-byte echo");
                answered[i] = false;
                conns[i].reset();
                --counts.served;
                ++counts.errors;
                continue;
            }
            unsigned char echo = 0;
            const bool ok =
                ::recv(conns[i].get(), &echo, 1, 0) == 1 && echo == *bytes.at(pattern::start_of(i));
            --waiting;
            if (ok) {
                answered[i] = true;
                ++counts.served;
                continue;
            }
            complain("a connection's 1-byte echo failed");
            conns[i].reset(); // also leaves the epoll set
            ++counts.errors;
        }
    }
    for (std::size_t i = 0; i < conns.size(); ++i) {
        if (conns[i] && !answered[i]) {
            complain("a connection's 1-byte echo did not come in time");
            conns[i].reset();
            ++counts.errors;
        }
    }
    return counts;
}

// Holds the connections for `secs`; gives how many the server closed or wrote to meanwhile.
std::uint64_t hold(double secs, std::vector<owned_fd>& conns, epoll_set& poller) {
    std::uint64_t dropped = 0;
    const std::uint64_t until = now_ns() + static_cast<std::uint64_t>(secs * 1e9);
    for (int wait_ms = millis_until(until); wait_ms > 0; wait_ms = millis_until(until)) {
        for (const epoll_event& ev : poller.wait(wait_ms)) {
            complain("the server closed or wrote to an idle connection");
            conns[ev.data.u32].reset();
            ++dropped;
        }
    }
    return dropped;
}

} // namespace

int run_idle(const options& opts) {
    const long before = opts.pid > 0 ? resident_kib(opts.pid) : -1;
    auto opened = open_connections(opts, opts.conns);
    epoll_set poller;
    const idle_counts counts = prove_served(opts, opened.sockets, poller);
    const std::uint64_t dropped = hold(opts.secs, opened.sockets, poller);
    const long after = opts.pid > 0 ? resident_kib(opts.pid) : -1;

    report line;
    line.add("mode", "idle")
        .add("conns", static_cast<std::int64_t>(opts.conns))
        .add("established", static_cast<std::int64_t>(counts.served))
        .add("hold_s", opts.secs, 1)
        .add("errors", static_cast<std::int64_t>(static_cast<std::uint64_t>(opened.failures) +
                                                 counts.errors + dropped));
    if (before >= 0 && after >= 0) {
        const long grown = after - before;
        line.add("rss_before_kb", std::int64_t{before})
            .add("rss_after_kb", std::int64_t{after})
            .add("bytes_per_conn",
                 counts.served > 0
                     ? static_cast<double>(grown) * 1024 / static_cast<double>(counts.served)
                     : 0,
                 0);
    } else if (opts.pid > 0) {
        line.add("rss", "unreadable");
    }
    line.print();
    return counts.served > 0 ? 0 : 1;
}

} // namespace loadgen
