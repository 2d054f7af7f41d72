// eddy-epoll-echo: the hand-written epoll echo server that eddy-echo is measured against
// (tools/bench/run.py reports eddy's CPU per message as a ratio to this server's). It is
// the plain C-style loop with every shortcut a fast echo server takes, on one thread:
//
//     eddy-epoll-echo --listen 127.0.0.1:7000 [--udp]
//
// - TCP: edge-triggered epoll, one read buffer shared by all connections, TCP_NODELAY.
//   A read is sent straight back from that buffer: one recv and one send per message. A
//   read shorter than the buffer took all there was, so no further recv (which would only
//   say EAGAIN) follows it. A connection holds bytes of its own (a backlog) only after a
//   partial send, until EPOLLOUT lets it send them.
// - UDP (--udp): one socket; recvmmsg takes up to a batch of datagrams per call and
//   sendmmsg sends them back to their senders in one call.
// Like eddy-echo it prints "listening on ADDRESS" (port 0: the port it got), and SIGINT,
// SIGTERM or SIGHUP end it with exit code 0. Bad arguments: a usage line, exit code 2.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr const char* usage = "usage: eddy-epoll-echo --listen HOST:PORT [--udp]";
constexpr std::size_t read_buffer_bytes = 64 * 1024;
// Past this many unsent bytes a connection stops reading until its backlog drains.
constexpr std::size_t backlog_limit = 1024 * 1024;
constexpr unsigned datagram_batch = 32;
constexpr std::size_t datagram_slot_bytes = 64 * 1024; // the UDP maximum fits: no truncation

struct connection {
    connection(int socket, std::size_t place) : fd(socket), slot(place) {}

    int fd;
    std::size_t slot;          // its place in tcp_echo::open_
    std::vector<char> backlog; // bytes read but not yet sent; empty almost always
    std::size_t backlog_sent = 0;
    bool read_to_end = false; // the peer hung up: a short read no longer means drained
    bool at_end = false;      // recv said end of stream: close once the backlog is sent
    bool reading_paused = false;
};

// Tags told apart from connections in epoll_event::data.ptr.
char listener_tag, signal_tag, udp_tag;

struct listen_address {
    sockaddr_storage addr{};
    socklen_t len = 0;
};

bool parse_address(std::string_view text, listen_address& out) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return false;
    std::string host(text.substr(0, colon));
    const std::string port(text.substr(colon + 1));
    char* end = nullptr;
    const long number = std::strtol(port.c_str(), &end, 10);
    if (port.empty() || *end != '\0' || number < 0 || number > 65535) return false;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.addr);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(static_cast<in_port_t>(number));
        out.len = sizeof(sockaddr_in);
        return true;
    }
    if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(static_cast<in_port_t>(number));
        out.len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

std::string address_text(const sockaddr_storage& addr) {
    char host[INET6_ADDRSTRLEN] = {};
    char text[INET6_ADDRSTRLEN + 16] = {};
    if (addr.ss_family == AF_INET) {
        const auto& v4 = reinterpret_cast<const sockaddr_in&>(addr);
        inet_ntop(AF_INET, &v4.sin_addr, host, sizeof host);
        std::snprintf(text, sizeof text, "%s:%u", host, unsigned{ntohs(v4.sin_port)});
    } else {
        const auto& v6 = reinterpret_cast<const sockaddr_in6&>(addr);
        inet_ntop(AF_INET6, &v6.sin6_addr, host, sizeof host);
        std::snprintf(text, sizeof text, "[%s]:%u", host, unsigned{ntohs(v6.sin6_port)});
    }
    return text;
}

[[noreturn]] void fail(const char* doing) {
    std::fprintf(stderr, "eddy-epoll-echo: %s: %s\n", doing, std::strerror(errno));
    std::exit(1);
}

class tcp_echo {
  public:
    explicit tcp_echo(int epoll_fd)
        : epoll_fd_(epoll_fd), buffer_(std::make_unique_for_overwrite<char[]>(read_buffer_bytes)) {}
    ~tcp_echo() {
        for (connection* c : open_) {
            ::close(c->fd);
            delete c;
        }
    }
    tcp_echo(const tcp_echo&) = delete;
    tcp_echo& operator=(const tcp_echo&) = delete;

    void accept_all(int listener);
    void on_event(connection* c, std::uint32_t events);

  private:
    void read_and_echo(connection* c);
    bool echo(connection* c, const char* data, std::size_t n);
    bool flush(connection* c);
    void close_connection(connection* c);

    int epoll_fd_;
    std::unique_ptr<char[]> buffer_; // shared by every connection: one thread, one buffer
    std::vector<connection*> open_;
};

void tcp_echo::accept_all(int listener) {
    for (;;) {
        const int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN) std::perror("eddy-epoll-echo: accept");
            return;
        }
        const int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto* c = new connection(fd, open_.size());
        // EPOLLOUT from the start: edge-triggered, it only wakes us when a full send buffer
        // gets room again, so a backlog needs no epoll_ctl.
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        ev.data.ptr = c;
        if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
            ::close(fd);
            delete c;
            continue;
        }
        open_.push_back(c);
    }
}

void tcp_echo::on_event(connection* c, std::uint32_t events) {
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->read_to_end = true;
    if ((events & EPOLLOUT) && !c->backlog.empty()) {
        if (!flush(c)) return;
        if (c->backlog.empty() && c->reading_paused) {
            c->reading_paused = false;
            events |= EPOLLIN; // what was left unread brings no new edge
        }
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !c->reading_paused)
        read_and_echo(c);
}

void tcp_echo::read_and_echo(connection* c) {
    for (;;) {
        if (c->backlog.size() >= backlog_limit) {
            c->reading_paused = true;
            return;
        }
        const ssize_t n = ::recv(c->fd, buffer_.get(), read_buffer_bytes, 0);
        if (n > 0) {
            if (!echo(c, buffer_.get(), static_cast<std::size_t>(n))) return;
            // A short read emptied the socket, and more data brings a new edge; after a
            // hang-up no edge comes, so read on to the end.
            if (static_cast<std::size_t>(n) < read_buffer_bytes && !c->read_to_end) return;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        c->at_end = true;
        if (c->backlog.empty() || n < 0) close_connection(c);
        return;
    }
}

// Sends `n` bytes back, keeping what the socket does not take; false if `c` was closed.
bool tcp_echo::echo(connection* c, const char* data, std::size_t n) {
    if (c->backlog.empty()) {
        const ssize_t sent = ::send(c->fd, data, n, MSG_NOSIGNAL);
        if (sent == static_cast<ssize_t>(n)) return true;
        if (sent < 0 && errno != EAGAIN && errno != EINTR) {
            close_connection(c);
            return false;
        }
        const std::size_t done = sent > 0 ? static_cast<std::size_t>(sent) : 0;
        c->backlog.assign(data + done, data + n);
        c->backlog_sent = 0;
        return true;
    }
    c->backlog.insert(c->backlog.end(), data, data + n);
    return flush(c);
}

// Sends what the backlog holds; false if `c` was closed.
bool tcp_echo::flush(connection* c) {
    while (c->backlog_sent < c->backlog.size()) {
        const ssize_t sent = ::send(c->fd, c->backlog.data() + c->backlog_sent,
                                    c->backlog.size() - c->backlog_sent, MSG_NOSIGNAL);
        if (sent > 0) {
            c->backlog_sent += static_cast<std::size_t>(sent);
        } else if (sent < 0 && errno == EAGAIN) {
            return true; // EPOLLOUT will come
        } else if (!(sent < 0 && errno == EINTR)) {
            close_connection(c);
            return false;
        }
    }
    std::vector<char>().swap(c->backlog); // give the memory back: idle connections hold none
    c->backlog_sent = 0;
    if (c->at_end) {
        close_connection(c);
        return false;
    }
    return true;
}

void tcp_echo::close_connection(connection* c) {
    ::close(c->fd); // also takes it out of the epoll set
    open_[c->slot] = open_.back();
    open_[c->slot]->slot = c->slot;
    open_.pop_back();
    delete c;
}

// Echoes every datagram back to its sender, a batch per system call each way.
class udp_echo {
  public:
    explicit udp_echo(int fd)
        : fd_(fd),
          buffers_(std::make_unique_for_overwrite<char[]>(datagram_batch * datagram_slot_bytes)),
          messages_(datagram_batch), slices_(datagram_batch), senders_(datagram_batch) {}

    void echo_all();

  private:
    int fd_;
    std::unique_ptr<char[]> buffers_;
    std::vector<mmsghdr> messages_;
    std::vector<iovec> slices_;
    std::vector<sockaddr_storage> senders_;
};

void udp_echo::echo_all() {
    for (;;) {
        for (unsigned i = 0; i < datagram_batch; ++i) {
            slices_[i] = {buffers_.get() + i * datagram_slot_bytes, datagram_slot_bytes};
            messages_[i].msg_hdr = {};
            messages_[i].msg_hdr.msg_name = &senders_[i];
            messages_[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
            messages_[i].msg_hdr.msg_iov = &slices_[i];
            messages_[i].msg_hdr.msg_iovlen = 1;
        }
        const int got = recvmmsg(fd_, messages_.data(), datagram_batch, MSG_DONTWAIT, nullptr);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) return; // EAGAIN: drained
        for (int i = 0; i < got; ++i)
            slices_[static_cast<unsigned>(i)].iov_len = messages_[static_cast<unsigned>(i)].msg_len;
        // A datagram the socket cannot take now is dropped, as the network may drop it.
        for (int sent = 0; sent < got;) {
            const int n =
                sendmmsg(fd_, messages_.data() + sent, static_cast<unsigned>(got - sent), 0);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            sent += n;
        }
        if (static_cast<unsigned>(got) < datagram_batch) return; // took all there was
    }
}

int bound_socket(const listen_address& where, int type) {
    const int fd = socket(where.addr.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) fail("socket");
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, reinterpret_cast<const sockaddr*>(&where.addr), where.len) != 0)
        fail("cannot listen");
    if (type == SOCK_STREAM && listen(fd, 4096) != 0) fail("cannot listen");
    return fd;
}

void say_listening(int fd) {
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
    std::printf("listening on %s\n", address_text(bound).c_str());
    std::fflush(stdout);
}

// The stop signals arrive as reads on a descriptor in the epoll set.
int stop_signal_fd() {
    sigset_t stops;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    sigaddset(&stops, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &stops, nullptr) != 0) fail("sigprocmask");
    const int fd = signalfd(-1, &stops, SFD_NONBLOCK | SFD_CLOEXEC);
    if (fd < 0) fail("signalfd");
    return fd;
}

void watch(int epoll_fd, int fd, std::uint32_t events, void* tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = tag;
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) fail("epoll_ctl");
}

int serve(const listen_address& where, bool udp) {
    const int signals = stop_signal_fd();
    const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd < 0) fail("epoll_create1");
    const int fd = bound_socket(where, udp ? SOCK_DGRAM : SOCK_STREAM);
    watch(epoll_fd, signals, EPOLLIN, &signal_tag);
    // The listener is level-triggered: a connection it could not take now is offered again.
    watch(epoll_fd, fd, udp ? EPOLLIN | EPOLLET : EPOLLIN, udp ? &udp_tag : &listener_tag);
    say_listening(fd);

    tcp_echo tcp(epoll_fd);
    std::optional<udp_echo> datagrams;
    if (udp) datagrams.emplace(fd);
    std::vector<epoll_event> ready(256);
    for (;;) {
        const int n = epoll_wait(epoll_fd, ready.data(), static_cast<int>(ready.size()), -1);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("epoll_wait");
        for (int i = 0; i < n; ++i) {
            const epoll_event& ev = ready[static_cast<unsigned>(i)];
            if (ev.data.ptr == &signal_tag) {
                ::close(fd);
                return 0;
            }
            if (ev.data.ptr == &listener_tag) {
                tcp.accept_all(fd);
            } else if (ev.data.ptr == &udp_tag) {
                datagrams->echo_all();
            } else {
                tcp.on_event(static_cast<connection*>(ev.data.ptr), ev.events);
            }
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    listen_address where;
    bool have_address = false, udp = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--udp") {
            udp = true;
        } else if (arg == "--listen" && i + 1 < argc && parse_address(argv[i + 1], where)) {
            have_address = true;
            ++i;
        } else {
            std::fprintf(stderr, "eddy-epoll-echo: bad argument '%s'\n%s\n", argv[i], usage);
            return 2;
        }
    }
    if (!have_address) {
        std::fprintf(stderr, "eddy-epoll-echo: --listen HOST:PORT is required\n%s\n", usage);
        return 2;
    }
    std::signal(SIGPIPE, SIG_IGN);
    return serve(where, udp);
}
