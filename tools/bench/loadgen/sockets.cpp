#include "sockets.hpp"

#include "measure.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace loadgen {

void owned_fd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

epoll_set::epoll_set() : fd_(epoll_create1(EPOLL_CLOEXEC)), ready_(512) {}

bool epoll_set::add(int fd, std::uint32_t events, std::uint32_t index) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u32 = index;
    return epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &ev) == 0;
}

void epoll_set::remove(int fd) {
    epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

std::span<const epoll_event> epoll_set::wait(int timeout_ms) {
    const int n = epoll_wait(fd_.get(), ready_.data(), static_cast<int>(ready_.size()), timeout_ms);
    if (n <= 0) return {};
    return {ready_.data(), static_cast<std::size_t>(n)};
}

int millis_until(std::uint64_t deadline_ns) {
    const std::uint64_t now = now_ns();
    if (now >= deadline_ns) return 0;
    return static_cast<int>((deadline_ns - now + 999'999) / 1'000'000);
}

namespace {
int complaints = 0;
constexpr int complaints_shown = 5;
} // namespace

void complain(const char* what) {
    ++complaints;
    if (complaints <= complaints_shown) std::fprintf(stderr, "eddy-loadgen: %s\n", what);
    if (complaints == complaints_shown + 1)
        std::fprintf(stderr, "eddy-loadgen: (further complaints left out)\n");
}

void stop_complaining() {
    complaints = complaints_shown + 1;
}

namespace {

void complain_errno(const char* doing, int error) {
    const std::string what = std::string(doing) + ": " + std::strerror(error);
    complain(what.c_str());
}

const sockaddr* server_address(const options& opts) {
    return reinterpret_cast<const sockaddr*>(&opts.server);
}

// Connects at most this many sockets at once, so the server's accept queue does not overflow
// (a dropped handshake is retried only a second later).
constexpr int connects_in_flight = 128;

enum class slot_state { waiting, connecting, connected, failed };

// Starts connecting slot `i`; gives its new state.
slot_state start_connect(const options& opts, owned_fd& fd, epoll_set& poller, int i) {
    fd.reset(socket(opts.server.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
        complain_errno("socket", errno);
        return slot_state::failed;
    }
    const int one = 1;
    setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd.get(), server_address(opts), opts.server_len) == 0) return slot_state::connected;
    if (errno != EINPROGRESS || !poller.add(fd.get(), EPOLLOUT, static_cast<std::uint32_t>(i))) {
        complain_errno("connect", errno);
        fd.reset();
        return slot_state::failed;
    }
    return slot_state::connecting;
}

} // namespace

opened_connections open_connections(const options& opts, int count) {
    std::vector<owned_fd> fds(static_cast<std::size_t>(count));
    std::vector<slot_state> state(fds.size(), slot_state::waiting);
    epoll_set poller;
    const std::uint64_t deadline =
        now_ns() + static_cast<std::uint64_t>(opts.connect_timeout * 1e9);
    int next = 0, in_flight = 0;
    while (next < count || in_flight > 0) {
        for (; next < count && in_flight < connects_in_flight; ++next) {
            auto i = static_cast<std::size_t>(next);
            state[i] = start_connect(opts, fds[i], poller, next);
            if (state[i] == slot_state::connecting) ++in_flight;
        }
        if (in_flight == 0) continue;
        const int wait_ms = millis_until(deadline);
        if (wait_ms == 0) break;
        for (const epoll_event& ev : poller.wait(wait_ms)) {
            const std::size_t i = ev.data.u32;
            int error = 0;
            socklen_t len = sizeof error;
            getsockopt(fds[i].get(), SOL_SOCKET, SO_ERROR, &error, &len);
            poller.remove(fds[i].get());
            --in_flight;
            state[i] = error == 0 ? slot_state::connected : slot_state::failed;
            if (error != 0) {
                complain_errno("connect", error);
                fds[i].reset();
            }
        }
    }
    opened_connections result;
    for (std::size_t i = 0; i < fds.size(); ++i) {
        if (state[i] == slot_state::connected) {
            result.sockets.push_back(std::move(fds[i]));
        } else {
            if (state[i] != slot_state::failed) complain("a connection was not made in time");
            ++result.failures;
        }
    }
    return result;
}

owned_fd connected_udp_socket(const options& opts) {
    owned_fd fd(socket(opts.server.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
        complain_errno("socket", errno);
        return fd;
    }
    if (connect(fd.get(), server_address(opts), opts.server_len) != 0) {
        complain_errno("connect (udp)", errno);
        fd.reset();
    }
    return fd;
}

} // namespace loadgen
