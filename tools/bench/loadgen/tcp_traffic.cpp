// pingpong and stream: connections that send the pattern and check its echo byte for byte.
// They differ in the bytes a connection may have unechoed: one message in pingpong (so each
// message waits for the previous one's echo and its round trip is timed), a window of
// several chunks in stream.
#include "measure.hpp"
#include "modes.hpp"
#include "sockets.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

namespace loadgen {
namespace {

struct connection {
    owned_fd fd;
    std::uint64_t start = 0;  // where this connection's bytes start in the pattern
    std::uint64_t sent = 0;   // bytes sent so far
    std::uint64_t echoed = 0; // bytes echoed (and checked) so far
    std::uint64_t message_sent_ns = 0;
};

struct counters {
    std::uint64_t messages = 0; // whole messages (stream: chunks) echoed
    std::uint64_t bytes = 0;
    std::uint64_t errors = 0;
};

class traffic {
  public:
    traffic(const options& opts, std::size_t window, bool timed)
        : opts_(opts), window_(window), timed_(timed), pattern_(max_chunk), buffer_(max_chunk) {}

    int run(const char* mode_name);

  private:
    bool send_more(connection& c);
    bool receive(connection& c, std::uint32_t events);
    void fail(connection& c, const char* why);
    void on_event(connection& c, std::uint32_t events);

    const options& opts_;
    const std::size_t window_; // bytes a connection may have sent but not seen echoed
    const bool timed_;         // time each message's round trip (pingpong)
    pattern pattern_;
    std::vector<unsigned char> buffer_; // every read lands here: one thread, one buffer
    std::vector<connection> conns_;
    std::size_t alive_ = 0;
    counters total_;
    latency_histogram round_trips_;
};

void traffic::fail(connection& c, const char* why) {
    complain(why);
    c.fd.reset(); // closing it takes it out of the epoll set
    ++total_.errors;
    --alive_;
}

// Sends until the window is full or the socket is; false if the connection failed.
bool traffic::send_more(connection& c) {
    while (c.sent - c.echoed < window_) {
        const std::size_t in_message = c.sent % opts_.size;
        const std::size_t room = window_ - static_cast<std::size_t>(c.sent - c.echoed);
        const std::size_t n = std::min(opts_.size - in_message, room);
        if (timed_ && in_message == 0) c.message_sent_ns = now_ns();
        const ssize_t m = ::send(c.fd.get(), pattern_.at(c.start + c.sent), n, MSG_NOSIGNAL);
        if (m > 0) {
            c.sent += static_cast<std::uint64_t>(m);
            continue;
        }
        if (m < 0 && errno == EINTR) continue;
        if (m < 0 && errno == EAGAIN) return true; // an EPOLLOUT edge will come
        fail(c, m < 0 ? "send failed" : "send sent nothing");
        return false;
    }
    return true;
}

// Reads and checks what the server echoed; false if the connection failed.
bool traffic::receive(connection& c, std::uint32_t events) {
    // After the peer hung up, read to the end; otherwise a short read took all there was.
    const bool to_the_end = (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
    for (;;) {
        const ssize_t n = ::recv(c.fd.get(), buffer_.data(), buffer_.size(), 0);
        if (n > 0) {
            const auto got = static_cast<std::size_t>(n);
            if (got > c.sent - c.echoed) {
                fail(c, "the server echoed more bytes than were sent");
                return false;
            }
            if (std::memcmp(buffer_.data(), pattern_.at(c.start + c.echoed), got) != 0) {
                fail(c, "echoed bytes differ from those sent");
                return false;
            }
            const std::uint64_t whole_before = c.echoed / opts_.size;
            c.echoed += got;
            total_.messages += c.echoed / opts_.size - whole_before;
            total_.bytes += got;
            if (timed_ && c.echoed == c.sent && c.echoed % opts_.size == 0)
                round_trips_.add(now_ns() - c.message_sent_ns);
            if (got < buffer_.size() && !to_the_end) return true;
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return true;
        fail(c, n == 0 ? "the server closed a connection" : "recv failed");
        return false;
    }
}

void traffic::on_event(connection& c, std::uint32_t events) {
    if (!c.fd) return;
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) && !receive(c, events)) return;
    send_more(c);
}

int traffic::run(const char* mode_name) {
    auto opened = open_connections(opts_, opts_.conns);
    total_.errors += static_cast<std::uint64_t>(opened.failures);
    epoll_set poller;
    conns_.resize(opened.sockets.size());
    alive_ = conns_.size();
    for (std::size_t i = 0; i < conns_.size(); ++i) {
        conns_[i].fd = std::move(opened.sockets[i]);
        conns_[i].start = pattern::start_of(i);
        if (!poller.add(conns_[i].fd.get(), EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
                        static_cast<std::uint32_t>(i)))
            fail(conns_[i], "epoll_ctl failed");
    }

    const std::uint64_t begin = now_ns();
    const std::uint64_t measure_from = begin + static_cast<std::uint64_t>(opts_.warmup * 1e9);
    const auto measured_ns = static_cast<std::uint64_t>(opts_.secs * 1e9);
    std::uint64_t end = 0; // set when measuring starts: the window is --secs long however late
    cpu_window cpu(opts_.pid);
    counters at_start;
    bool measuring = false;
    for (auto& c : conns_) {
        if (c.fd) send_more(c);
    }
    while (alive_ > 0) {
        if (const std::uint64_t now = now_ns(); !measuring && now >= measure_from) {
            measuring = true;
            at_start = total_;
            round_trips_.clear();
            cpu.start(now);
            end = now + measured_ns;
        }
        const int wait_ms = millis_until(measuring ? end : measure_from);
        if (measuring && wait_ms == 0) break;
        for (const epoll_event& ev : poller.wait(wait_ms))
            on_event(conns_[ev.data.u32], ev.events);
    }
    if (!measuring) cpu.start(now_ns()); // every connection failed during the warm-up
    cpu.stop(now_ns());

    const double secs = cpu.wall_seconds();
    const std::uint64_t messages = total_.messages - at_start.messages;
    const std::uint64_t bytes = total_.bytes - at_start.bytes;
    report line;
    line.add("mode", mode_name)
        .add("conns", static_cast<std::int64_t>(opts_.conns))
        .add("size", static_cast<std::int64_t>(opts_.size))
        .add("secs", secs, 3)
        .add("msgs", static_cast<std::int64_t>(messages))
        .add("msgs_per_s", secs > 0 ? static_cast<double>(messages) / secs : 0, 1)
        .add("mb_per_s", secs > 0 ? static_cast<double>(bytes) / secs / 1e6 : 0, 2);
    if (timed_) {
        line.add("p50_us", round_trips_.percentile_us(0.50), 1)
            .add("p99_us", round_trips_.percentile_us(0.99), 1);
    } else {
        line.add("window", static_cast<std::int64_t>(window_));
    }
    line.add("errors", static_cast<std::int64_t>(total_.errors));
    cpu.report_to(line, messages);
    line.print();
    return conns_.empty() ? 1 : 0;
}

} // namespace

int run_pingpong(const options& opts) {
    return traffic(opts, opts.size, true).run("pingpong");
}

int run_stream(const options& opts) {
    const std::size_t window = opts.window != 0 ? opts.window : 4 * opts.size;
    return traffic(opts, window, false).run("stream");
}

} // namespace loadgen
