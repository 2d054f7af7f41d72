#include "eddy/net/socket_address.hpp"

#include "eddy/runtime/spawn_blocking.hpp"

#include "eddy/net/detail/sockopt.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace eddy::net {

namespace {

// Strings are built with append: g++ 12 at -O3 warns wrongly (-Wrestrict, GCC bug 105329)
// about `"literal" + std::string`.
// getaddrinfo for one host: its return code and the addresses found.
struct address_lookup {
    std::string host;

    std::pair<int, std::vector<socket_address>> operator()() const {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* list = nullptr;
        int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list);
        std::vector<socket_address> found;
        if (rc == 0) {
            for (addrinfo* ai = list; ai; ai = ai->ai_next) {
                auto a = socket_address::from_native(ai->ai_addr, ai->ai_addrlen);
                if (a.family() != AF_UNSPEC) found.push_back(a);
            }
            ::freeaddrinfo(list);
        }
        return {rc, std::move(found)};
    }
};

} // namespace

socket_address::socket_address() noexcept : storage_{}, size_(0) {
    storage_.ss_family = AF_UNSPEC;
}

result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
    // inet_pton and getaddrinfo read up to a NUL: "127.0.0.1\0junk:80" would pass for
    // 127.0.0.1:80.
    if (text.find('\0') != std::string_view::npos)
        return detail::invalid_address(text, "holds a NUL byte");
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return detail::invalid_address(text, "missing ']'");
        host = text.substr(1, close - 1);
        if (close + 1 >= text.size() || text[close + 1] != ':')
            return detail::invalid_address(text, "expected [HOST]:PORT");
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
            return detail::invalid_address(text, "expected HOST:PORT");
        host = text.substr(0, colon);
        if (host.find(':') != std::string_view::npos)
            return detail::invalid_address(text, "an IPv6 address needs brackets: [ADDR]:PORT");
        port = text.substr(colon + 1);
    }
    if (host.empty()) return detail::invalid_address(text, "missing host");
    if (port.empty()) return detail::invalid_address(text, "missing port");
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && value > 65535))
        return detail::invalid_address(text, "port out of range");
    if (ec != std::errc() || end != port.data() + port.size())
        return detail::invalid_address(text, "port is not a number");
    return std::pair{std::string(host), static_cast<std::uint16_t>(value)};
}

result<socket_address> socket_address::parse(std::string_view text) {
    auto parts = split_host_port(text);
    if (!parts) return std::move(parts).error();
    const auto& [host, port] = *parts;
    socket_address a;
    if (!text.empty() && text.front() == '[') {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
        if (::inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) != 1)
            return detail::invalid_address(text, "not an IPv6 address");
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        a.size_ = sizeof(sockaddr_in6);
    } else {
        auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage_);
        if (::inet_pton(AF_INET, host.c_str(), &sin->sin_addr) != 1)
            return detail::invalid_address(text,
                                           "not a numeric IPv4 address; names need resolve()");
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        a.size_ = sizeof(sockaddr_in);
    }
    return a;
}

socket_address socket_address::from_native(const sockaddr* addr, socklen_t len) noexcept {
    socket_address a;
    if (addr && len <= static_cast<socklen_t>(sizeof a.storage_) &&
        (addr->sa_family == AF_INET || addr->sa_family == AF_INET6)) {
        std::memcpy(&a.storage_, addr, len);
        a.size_ = len;
    }
    return a;
}

socket_address socket_address::loopback_v4(std::uint16_t port) noexcept {
    socket_address a;
    auto* sin = reinterpret_cast<sockaddr_in*>(&a.storage_);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.size_ = sizeof(sockaddr_in);
    return a;
}

socket_address socket_address::loopback_v6(std::uint16_t port) noexcept {
    socket_address a;
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    sin6->sin6_addr = in6addr_loopback;
    a.size_ = sizeof(sockaddr_in6);
    return a;
}

std::uint16_t socket_address::port() const noexcept {
    if (is_v4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
    if (is_v6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
    return 0;
}

void socket_address::set_port(std::uint16_t port) noexcept {
    if (is_v4()) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
    if (is_v6()) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

std::string socket_address::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (is_v4()) {
        ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf,
                    sizeof buf);
        return std::string(buf) + ":" + std::to_string(port());
    }
    if (is_v6()) {
        ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf,
                    sizeof buf);
        std::string text;
        text.append("[").append(buf).append("]:").append(std::to_string(port()));
        return text;
    }
    return "(unspecified)";
}

bool operator==(const socket_address& a, const socket_address& b) noexcept {
    return a.size_ == b.size_ && std::memcmp(&a.storage_, &b.storage_, a.size_) == 0;
}

task<result<std::vector<socket_address>>> resolve(std::string host_port) {
    if (auto numeric = socket_address::parse(host_port))
        co_return std::vector<socket_address>{*numeric};
    auto parts = split_host_port(host_port);
    if (!parts) co_return std::move(parts).error();
    std::string host = std::move(parts->first);
    const std::uint16_t port = parts->second;

    // getaddrinfo blocks (it may ask a DNS server): run it on the blocking pool. (A named
    // function object, not a capturing lambda: g++ 12 frees a lambda's captured string
    // twice when the lambda is made inside a coroutine and moved into another.)
    address_lookup lookup{std::move(host)};
    auto looked_up = co_await spawn_blocking(std::move(lookup));
    if (looked_up.first != 0)
        co_return detail::invalid_address(host_port, ::gai_strerror(looked_up.first));
    if (looked_up.second.empty()) co_return detail::invalid_address(host_port, "no address found");
    for (auto& a : looked_up.second)
        a.set_port(port);
    co_return std::move(looked_up.second);
}

} // namespace eddy::net
