// probe: is the server up? One byte is echoed over a fresh TCP connection (--udp: one
// datagram), retried every 50 ms until it works or --secs have passed (--secs 0: one try);
// the last try may end up to 100 ms past --secs.
#include "measure.hpp"
#include "modes.hpp"
#include "sockets.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <ctime>

namespace loadgen {
namespace {

// Waits until `fd` has `events` or `deadline_ns` passes; true if it has them.
bool wait_for(int fd, short events, std::uint64_t deadline_ns) {
    pollfd p{fd, events, 0};
    for (;;) {
        const int n = ::poll(&p, 1, millis_until(deadline_ns));
        if (n > 0) return true;
        if (n == 0 || errno != EINTR) return false;
    }
}

bool echo_one_byte_tcp(const options& opts, std::uint64_t deadline_ns) {
    options one = opts;
    one.connect_timeout = std::max(0.001, seconds_between(now_ns(), deadline_ns));
    auto opened = open_connections(one, 1);
    if (opened.sockets.empty()) return false;
    const int fd = opened.sockets.front().get();
    const unsigned char sent = 'p';
    unsigned char back = 0;
    return ::send(fd, &sent, 1, MSG_NOSIGNAL) == 1 && wait_for(fd, POLLIN, deadline_ns) &&
           ::recv(fd, &back, 1, 0) == 1 && back == sent;
}

bool echo_one_byte_udp(const options& opts, std::uint64_t deadline_ns) {
    owned_fd fd = connected_udp_socket(opts);
    if (!fd) return false;
    const unsigned char sent = 'p';
    unsigned char back = 0;
    return ::send(fd.get(), &sent, 1, 0) == 1 && wait_for(fd.get(), POLLIN, deadline_ns) &&
           ::recv(fd.get(), &back, 1, 0) == 1 && back == sent;
}

} // namespace

int run_probe(const options& opts) {
    stop_complaining();
    const std::uint64_t begin = now_ns();
    const std::uint64_t give_up = begin + static_cast<std::uint64_t>(opts.secs * 1e9);
    int tries = 0;
    bool answered = false;
    for (;;) {
        ++tries;
        // A try waits at most a second (a datagram 100 ms) and no longer than the time left,
        // but gets 100 ms at least: the last one may end that much past --secs.
        const std::uint64_t now = now_ns();
        const std::uint64_t left = give_up > now ? give_up - now : 0;
        const std::uint64_t deadline =
            now +
            std::clamp<std::uint64_t>(left, 100'000'000, opts.udp ? 100'000'000 : 1'000'000'000);
        answered = opts.udp ? echo_one_byte_udp(opts, deadline) : echo_one_byte_tcp(opts, deadline);
        if (answered || now_ns() >= give_up) break;
        const timespec pause{0, 50'000'000};
        nanosleep(&pause, nullptr);
    }
    report line;
    line.add("mode", "probe")
        .add("transport", opts.udp ? "udp" : "tcp")
        .add("ok", std::int64_t{answered ? 1 : 0})
        .add("tries", std::int64_t{tries})
        .add("secs", seconds_between(begin, now_ns()), 3);
    line.print();
    return answered ? 0 : 1;
}

} // namespace loadgen
