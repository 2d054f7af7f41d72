#include "measure.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <sstream>

namespace loadgen {

std::uint64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

pattern::pattern(std::size_t max_bytes) : bytes_(period + max_bytes) {
    // splitmix64: any fixed sequence would do, as long as it does not repeat within a period.
    std::uint64_t state = 0x6564647962656e63ull;
    for (std::size_t i = 0; i < period; ++i) {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        bytes_[i] = static_cast<unsigned char>(z ^ (z >> 31));
    }
    for (std::size_t i = period; i < bytes_.size(); ++i)
        bytes_[i] = bytes_[i - period];
}

namespace {

std::size_t bucket_of(std::uint64_t ns) {
    if (ns < 128) return static_cast<std::size_t>(ns);
    const auto shift = static_cast<unsigned>(std::bit_width(ns)) - 7; // ns >> shift: 64..127
    return 64 * shift + static_cast<std::size_t>(ns >> shift);
}

std::uint64_t lowest_in_bucket(std::size_t bucket) {
    if (bucket < 128) return bucket;
    const std::size_t shift = bucket / 64 - 1;
    return static_cast<std::uint64_t>(bucket - 64 * shift) << shift;
}

} // namespace

void latency_histogram::add(std::uint64_t ns) {
    const std::size_t b = bucket_of(ns);
    ++counts_[b < buckets ? b : buckets - 1];
    ++total_;
}

double latency_histogram::percentile_us(double fraction) const {
    if (total_ == 0) return 0;
    const auto wanted = static_cast<std::uint64_t>(fraction * static_cast<double>(total_ - 1));
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < buckets; ++b) {
        seen += counts_[b];
        if (seen > wanted) {
            // The middle of the bucket: half its width off at most.
            const double lo = static_cast<double>(lowest_in_bucket(b));
            const double hi = std::max(lo, static_cast<double>(lowest_in_bucket(b + 1)));
            return (lo + hi) / 2 / 1000;
        }
    }
    return static_cast<double>(lowest_in_bucket(buckets - 1)) / 1000;
}

double own_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::optional<double> process_cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text;
    if (!std::getline(in, text)) return std::nullopt;
    // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
    const auto close = text.rfind(')');
    if (close == std::string::npos) return std::nullopt;
    std::istringstream fields(text.substr(close + 1));
    std::string skip;
    for (int field = 3; field < 14; ++field)
        fields >> skip;
    unsigned long long utime = 0, stime = 0;
    if (!(fields >> utime >> stime)) return std::nullopt;
    return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

long resident_kib(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return -1;
}

void cpu_window::start(std::uint64_t now) {
    start_ns_ = now;
    own_start_ = own_cpu_seconds();
    if (server_ > 0) server_start_ = process_cpu_seconds(server_);
}

void cpu_window::stop(std::uint64_t now) {
    stop_ns_ = now;
    own_used_ = own_cpu_seconds() - own_start_;
    if (server_ > 0 && server_start_) {
        if (auto end = process_cpu_seconds(server_)) server_used_ = *end - *server_start_;
    }
}

void cpu_window::report_to(report& line, std::uint64_t messages) const {
    const double wall = wall_seconds();
    line.add("lg_cpu", wall > 0 ? own_used_ / wall : 0, 3);
    if (server_ <= 0) return;
    if (!server_used_) {
        line.add("srv_cpu", "unreadable");
        return;
    }
    line.add("srv_cpu", wall > 0 ? *server_used_ / wall : 0, 3);
    line.add("srv_cpu_s", *server_used_, 3);
    if (messages > 0)
        line.add("srv_us_per_msg", *server_used_ * 1e6 / static_cast<double>(messages), 3);
}

report& report::add(std::string_view key, std::string_view value) {
    if (!text_.empty()) text_ += ' ';
    text_.append(key).append("=").append(value);
    return *this;
}

report& report::add(std::string_view key, std::int64_t value) {
    return add(key, std::string_view(std::to_string(value)));
}

report& report::add(std::string_view key, double value, int decimals) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, value);
    return add(key, std::string_view(text));
}

void report::print() const {
    std::printf("%s\n", text_.c_str());
    std::fflush(stdout);
}

long raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
    getrlimit(RLIMIT_NOFILE, &limit);
    return limit.rlim_cur == RLIM_INFINITY ? 1'000'000'000L : static_cast<long>(limit.rlim_cur);
}

} // namespace loadgen
