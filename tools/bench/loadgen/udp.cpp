// udp: connected UDP sockets, each with one datagram in flight. A datagram carries its
// socket's index and its sequence number in its first 8 bytes, then the pattern from a place
// that depends on both; the echo must match in size and every byte. A datagram not echoed
// within --timeout-ms is lost and its socket sends the next one, so no socket waits forever;
// its echo, if it comes later, is counted as late.
#include "measure.hpp"
#include "modes.hpp"
#include "sockets.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace loadgen {
namespace {

struct udp_peer {
    owned_fd fd;
    std::uint32_t sequence = 0; // of the datagram in flight
    std::uint64_t sent_ns = 0;
    std::uint64_t deadline_ns = 0;
};

struct udp_counters {
    std::uint64_t echoed = 0, lost = 0, late = 0, errors = 0;
};

class udp_run {
  public:
    explicit udp_run(const options& opts)
        : opts_(opts), pattern_(65536), outgoing_(opts.size), incoming_(65536),
          timeout_ns_(static_cast<std::uint64_t>(opts.timeout_ms) * 1'000'000) {}

    int run();

  private:
    void send_next(std::uint32_t index);
    void receive(std::uint32_t index);
    void expire(std::uint64_t now);
    const unsigned char* payload_of(std::uint32_t index, std::uint32_t sequence) const {
        return pattern_.at(pattern::start_of(index) + std::uint64_t{sequence} * opts_.size);
    }

    const options& opts_;
    pattern pattern_;
    std::vector<unsigned char> outgoing_, incoming_;
    std::vector<udp_peer> peers_;
    udp_counters total_;
    latency_histogram round_trips_;
    const std::uint64_t timeout_ns_;
};

constexpr std::size_t header_bytes = 8; // socket index, then sequence number

void udp_run::send_next(std::uint32_t index) {
    udp_peer& p = peers_[index];
    ++p.sequence;
    std::memcpy(outgoing_.data(), &index, 4);
    std::memcpy(outgoing_.data() + 4, &p.sequence, 4);
    std::memcpy(outgoing_.data() + header_bytes, payload_of(index, p.sequence),
                opts_.size - header_bytes);
    p.sent_ns = now_ns();
    p.deadline_ns = p.sent_ns + timeout_ns_;
    // A datagram the kernel refuses now (a full buffer, a refusal reported late) is lost
    // when its deadline passes, like one dropped on the way.
    if (::send(p.fd.get(), outgoing_.data(), opts_.size, 0) < 0 && errno != EAGAIN) {
        complain("send (udp) failed");
        ++total_.errors;
    }
}

void udp_run::receive(std::uint32_t index) {
    udp_peer& p = peers_[index];
    for (;;) {
        const ssize_t n = ::recv(p.fd.get(), incoming_.data(), incoming_.size(), 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) return;
            complain("recv (udp) failed"); // e.g. refused: nobody listens on the port
            ++total_.errors;
            continue;
        }
        std::uint32_t from = 0, sequence = 0;
        if (static_cast<std::size_t>(n) == opts_.size) {
            std::memcpy(&from, incoming_.data(), 4);
            std::memcpy(&sequence, incoming_.data() + 4, 4);
        }
        const bool intact =
            static_cast<std::size_t>(n) == opts_.size && from == index && sequence <= p.sequence &&
            std::memcmp(incoming_.data() + header_bytes, payload_of(index, sequence),
                        opts_.size - header_bytes) == 0;
        if (!intact) {
            complain("an echoed datagram differs from the one sent");
            ++total_.errors;
        } else if (sequence < p.sequence) {
            ++total_.late;
        } else {
            const std::uint64_t now = now_ns();
            round_trips_.add(now - p.sent_ns);
            ++total_.echoed;
            send_next(index);
        }
    }
}

void udp_run::expire(std::uint64_t now) {
    for (std::uint32_t i = 0; i < peers_.size(); ++i) {
        if (now >= peers_[i].deadline_ns) {
            ++total_.lost;
            send_next(i);
        }
    }
}

int udp_run::run() {
    epoll_set poller;
    for (int i = 0; i < opts_.conns; ++i) {
        udp_peer p;
        p.fd = connected_udp_socket(opts_);
        if (!p.fd) {
            ++total_.errors;
            continue;
        }
        if (!poller.add(p.fd.get(), EPOLLIN | EPOLLET, static_cast<std::uint32_t>(peers_.size()))) {
            complain("epoll_ctl failed");
            ++total_.errors;
            continue;
        }
        peers_.push_back(std::move(p));
    }
    const std::uint64_t begin = now_ns();
    const std::uint64_t measure_from = begin + static_cast<std::uint64_t>(opts_.warmup * 1e9);
    const auto measured_ns = static_cast<std::uint64_t>(opts_.secs * 1e9);
    std::uint64_t end = 0; // set when measuring starts: the window is --secs long however late
    // Deadlines are looked at this often: a tenth of the timeout, at least every millisecond.
    const std::uint64_t scan_every = std::max<std::uint64_t>(timeout_ns_ / 10, 1'000'000);
    cpu_window cpu(opts_.pid);
    udp_counters at_start;
    bool measuring = false;
    for (std::uint32_t i = 0; i < peers_.size(); ++i)
        send_next(i);
    std::uint64_t next_scan = begin + scan_every;
    while (!peers_.empty()) {
        std::uint64_t now = now_ns();
        if (!measuring && now >= measure_from) {
            measuring = true;
            at_start = total_;
            round_trips_.clear();
            cpu.start(now);
            end = now + measured_ns;
        }
        if (measuring && now >= end) break;
        if (now >= next_scan) {
            expire(now);
            next_scan = now + scan_every;
        }
        const int wait_ms = millis_until(std::min(next_scan, measuring ? end : measure_from));
        for (const epoll_event& ev : poller.wait(wait_ms))
            receive(ev.data.u32);
    }
    if (!measuring) cpu.start(now_ns());
    cpu.stop(now_ns());

    const double secs = cpu.wall_seconds();
    const std::uint64_t echoed = total_.echoed - at_start.echoed;
    report line;
    line.add("mode", "udp")
        .add("conns", static_cast<std::int64_t>(opts_.conns))
        .add("size", static_cast<std::int64_t>(opts_.size))
        .add("secs", secs, 3)
        .add("msgs", static_cast<std::int64_t>(echoed))
        .add("msgs_per_s", secs > 0 ? static_cast<double>(echoed) / secs : 0, 1)
        .add("p50_us", round_trips_.percentile_us(0.50), 1)
        .add("p99_us", round_trips_.percentile_us(0.99), 1)
        .add("lost", static_cast<std::int64_t>(total_.lost - at_start.lost))
        .add("late", static_cast<std::int64_t>(total_.late - at_start.late))
        .add("timeout_ms", static_cast<std::int64_t>(opts_.timeout_ms))
        .add("errors", static_cast<std::int64_t>(total_.errors));
    cpu.report_to(line, echoed);
    line.print();
    return peers_.empty() ? 1 : 0;
}

} // namespace

int run_udp(const options& opts) {
    return udp_run(opts).run();
}

} // namespace loadgen
