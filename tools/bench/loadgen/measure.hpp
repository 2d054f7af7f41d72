// What eddy-loadgen measures with and how it reports: the clock, the byte pattern every
// echo is checked against, the round-trip histogram, CPU time and RSS read from /proc, and
// the one line of key=value pairs a run prints.
//
//     report line;
//     line.add("msgs_per_s", rate, 1);
//     line.print(); // mode=... msgs_per_s=51234.5 ...
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadgen {

class report;

/// Monotonic nanoseconds.
std::uint64_t now_ns();

/// Seconds from now_ns() values.
inline double seconds_between(std::uint64_t from, std::uint64_t to) {
    return static_cast<double>(to - from) / 1e9;
}

/// The bytes a stream carries at each position: position p holds byte p mod a prime period
/// of a pseudo-random sequence, so a lost, doubled or shifted byte shows as a mismatch.
/// `at(p)` gives `max_bytes` contiguous pattern bytes from p on (the table repeats its start).
class pattern {
  public:
    explicit pattern(std::size_t max_bytes);
    const unsigned char* at(std::uint64_t position) const {
        return bytes_.data() + position % period;
    }
    /// Where connection `index` starts in the pattern, so crossed streams differ too.
    static std::uint64_t start_of(std::size_t index) { return index * 7919ull; }

    static constexpr std::size_t period = 100'003; // prime

  private:
    std::vector<unsigned char> bytes_;
};

/// Round-trip times, log-linear buckets: exact below 128 ns, then 64 per power of two
/// (at most 1.6% off). Constant memory whatever the count.
class latency_histogram {
  public:
    void add(std::uint64_t ns);
    void clear() { counts_.fill(0), total_ = 0; }
    std::uint64_t count() const { return total_; }
    /// The value below which `fraction` of the samples lie, in microseconds; 0 if empty.
    double percentile_us(double fraction) const;

  private:
    static constexpr std::size_t buckets = 64 * 58 + 128;
    std::array<std::uint64_t, buckets> counts_{};
    std::uint64_t total_ = 0;
};

/// CPU seconds (user + system, all threads) this process has used.
double own_cpu_seconds();
/// CPU seconds (utime + stime from /proc/PID/stat) process `pid` has used, if readable.
std::optional<double> process_cpu_seconds(pid_t pid);
/// Resident memory (VmRSS from /proc/PID/status) of process `pid` in KiB; -1 if unreadable.
long resident_kib(pid_t pid);

/// The CPU this process and the server (--pid, 0: none) use over a measured window.
class cpu_window {
  public:
    explicit cpu_window(pid_t server) : server_(server) {}
    void start(std::uint64_t now);
    void stop(std::uint64_t now);
    double wall_seconds() const { return seconds_between(start_ns_, stop_ns_); }
    /// Adds lg_cpu (fraction of a core) and, with a server, srv_cpu (fraction of a core),
    /// srv_cpu_s and srv_us_per_msg (server CPU microseconds per message).
    void report_to(report& line, std::uint64_t messages) const;

  private:
    pid_t server_;
    std::uint64_t start_ns_ = 0, stop_ns_ = 0;
    double own_start_ = 0, own_used_ = 0;
    std::optional<double> server_start_, server_used_;
};

/// One line of key=value pairs on stdout.
class report {
  public:
    report& add(std::string_view key, std::string_view value);
    report& add(std::string_view key, std::int64_t value);
    report& add(std::string_view key, double value, int decimals);
    void print() const;

  private:
    std::string text_;
};

/// Lets this process open as many descriptors as its hard limit allows; gives the new limit.
long raise_descriptor_limit();

} // namespace loadgen
