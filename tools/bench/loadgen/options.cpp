#include "options.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>

namespace loadgen {

const char* const usage_line =
    "usage: eddy-loadgen pingpong|stream|udp|idle|probe --port P [--host LOOPBACK] "
    "[--conns N] [--size S] [--secs D] [--warmup W] [--window B] [--connect-timeout T] "
    "[--timeout-ms T] [--pid PID] [--udp]";

namespace {

std::optional<run_mode> mode_named(std::string_view name) {
    if (name == "pingpong") return run_mode::pingpong;
    if (name == "stream") return run_mode::stream;
    if (name == "udp") return run_mode::udp;
    if (name == "idle") return run_mode::idle;
    if (name == "probe") return run_mode::probe;
    return std::nullopt;
}

std::optional<long long> whole_number(std::string_view text, long long lo, long long hi) {
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < lo || value > hi)
        return std::nullopt;
    return value;
}

std::optional<double> seconds(std::string_view text, double lo) {
    std::string copy(text);
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (copy.empty() || *end != '\0' || !std::isfinite(value) || value < lo || value > 86400)
        return std::nullopt;
    return value;
}

// Only loopback targets: the load generator never sends its traffic off the machine.
bool set_host(options& o, std::string_view host) {
    const std::string name = host == "localhost" ? "127.0.0.1" : std::string(host);
    auto* v4 = reinterpret_cast<sockaddr_in*>(&o.server);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&o.server);
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, name.c_str(), &a4) == 1) {
        if ((ntohl(a4.s_addr) >> 24) != 127) return false;
        const in_port_t port = v4->sin_port;
        o.server = {};
        v4->sin_family = AF_INET;
        v4->sin_addr = a4;
        v4->sin_port = port;
        o.server_len = sizeof(sockaddr_in);
        return true;
    }
    if (inet_pton(AF_INET6, name.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6)) {
        const in_port_t port = v4->sin_port; // the same offset in both
        o.server = {};
        v6->sin6_family = AF_INET6;
        v6->sin6_addr = a6;
        v6->sin6_port = port;
        o.server_len = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

double default_secs(run_mode mode) {
    switch (mode) {
    case run_mode::idle: return 1;
    case run_mode::probe: return 10;
    default: return 5;
    }
}

// One "--name value" pair; gives what is wrong with it, or an empty string.
std::string apply(options& o, std::string_view name, std::string_view value) {
    auto bad = [&] { return "bad value '" + std::string(value) + "' for " + std::string(name); };
    if (name == "--host") return set_host(o, value) ? "" : "--host must be a loopback address";
    if (name == "--port") {
        auto port = whole_number(value, 1, 65535);
        if (!port) return bad();
        // sin_port and sin6_port lie at the same offset.
        reinterpret_cast<sockaddr_in*>(&o.server)->sin_port = htons(static_cast<in_port_t>(*port));
        return "";
    }
    if (name == "--conns" || name == "--size" || name == "--window" || name == "--timeout-ms" ||
        name == "--pid") {
        auto n = whole_number(value, 1, 1'000'000'000);
        if (!n) return bad();
        if (name == "--conns") o.conns = static_cast<int>(*n);
        if (name == "--size") o.size = static_cast<std::size_t>(*n);
        if (name == "--window") o.window = static_cast<std::size_t>(*n);
        if (name == "--timeout-ms") o.timeout_ms = static_cast<int>(*n);
        if (name == "--pid") o.pid = static_cast<pid_t>(*n);
        return "";
    }
    if (name == "--secs" || name == "--warmup" || name == "--connect-timeout") {
        auto s = seconds(value, 0);
        if (!s) return bad();
        if (name == "--secs") o.secs = *s;
        if (name == "--warmup") o.warmup = *s;
        if (name == "--connect-timeout") o.connect_timeout = *s;
        return "";
    }
    return "unknown option " + std::string(name);
}

// What no single option can say: the limits that depend on the mode.
std::string check(const options& o, bool port_given) {
    if (!port_given) return "--port is required";
    if (o.udp && o.mode != run_mode::probe) return "--udp belongs to probe (udp is a mode)";
    if (o.mode == run_mode::udp && (o.size < 8 || o.size > 65507))
        return "udp: --size must be 8..65507 (a datagram carries its sequence number)";
    if (o.mode != run_mode::udp && o.size > max_chunk) return "--size must be at most 65536";
    if (o.mode == run_mode::stream && o.window != 0 && o.window < o.size)
        return "--window must be at least --size";
    if (o.conns > 1'000'000) return "--conns must be at most 1000000";
    if ((o.mode == run_mode::pingpong || o.mode == run_mode::stream || o.mode == run_mode::udp) &&
        o.secs <= 0)
        return "--secs must be above 0";
    return "";
}

} // namespace

std::variant<options, std::string> parse_options(int argc, char** argv) {
    if (argc < 2) return std::string("no mode given");
    options o;
    auto mode = mode_named(argv[1]);
    if (!mode) return "unknown mode '" + std::string(argv[1]) + "'";
    o.mode = *mode;
    o.secs = default_secs(o.mode);
    set_host(o, "127.0.0.1");
    bool port_given = false;
    for (int i = 2; i < argc; ++i) {
        const std::string_view name = argv[i];
        if (name == "--udp") {
            o.udp = true;
            continue;
        }
        if (i + 1 >= argc) return "option " + std::string(name) + " needs a value";
        if (auto why = apply(o, name, argv[++i]); !why.empty()) return why;
        port_given = port_given || name == "--port";
    }
    if (auto why = check(o, port_given); !why.empty()) return why;
    return o;
}

} // namespace loadgen
