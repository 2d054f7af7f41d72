#include "eddy/net/unix_address.hpp"

#include "eddy/net/detail/sockopt.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace eddy::net {

namespace {

constexpr std::size_t path_offset = offsetof(sockaddr_un, sun_path);
constexpr std::size_t path_capacity = sizeof(sockaddr_un::sun_path);

} // namespace

unix_address::unix_address() noexcept : addr_{}, size_(path_offset) {
    addr_.sun_family = AF_UNIX;
}

result<unix_address> unix_address::parse(std::string_view text) {
    if (text.empty()) return detail::invalid_address(text, "empty Unix socket address");
    // Text with a NUL is refused as a whole: a path would be cut short at it by the kernel,
    // and a name with one is rare enough to ask for `abstract()` by name.
    if (text.find('\0') != std::string_view::npos)
        return detail::invalid_address(text, "holds a NUL byte");
    if (text.front() == '@') return abstract(text.substr(1));
    unix_address a;
    if (text.size() > path_capacity - 1)
        return detail::invalid_address(text, "path too long for a Unix socket");
    std::memcpy(a.addr_.sun_path, text.data(), text.size());
    a.size_ = static_cast<socklen_t>(path_offset + text.size() + 1);
    return a;
}

result<unix_address> unix_address::abstract(std::string_view name) {
    const auto invalid = [name](std::string_view why) {
        return detail::invalid_address(std::string("@").append(name), why);
    };
    if (name.empty()) return invalid("empty abstract name");
    if (name.size() > path_capacity - 1) return invalid("abstract name too long");
    // sun_path starts with a NUL and the name is the bytes after it, no terminator; the
    // length passed to the kernel says where it ends.
    unix_address a;
    std::memcpy(a.addr_.sun_path + 1, name.data(), name.size());
    a.size_ = static_cast<socklen_t>(path_offset + 1 + name.size());
    return a;
}

unix_address unix_address::from_native(const sockaddr* addr, socklen_t len) noexcept {
    unix_address a;
    if (!addr || addr->sa_family != AF_UNIX || len <= path_offset) return a;
    const auto n = std::min<std::size_t>(len, sizeof(sockaddr_un));
    std::memcpy(&a.addr_, addr, n);
    a.size_ = static_cast<socklen_t>(n);
    if (a.addr_.sun_path[0] != '\0') {
        // A path: the kernel may or may not count the terminator; keep exactly one.
        const auto path_len = ::strnlen(a.addr_.sun_path, n - path_offset);
        if (path_len == path_capacity) return unix_address(); // not terminated: not ours to guess
        a.size_ = static_cast<socklen_t>(path_offset + path_len + 1);
    }
    return a;
}

bool unix_address::is_unnamed() const noexcept {
    return size_ <= path_offset;
}

bool unix_address::is_abstract() const noexcept {
    return !is_unnamed() && addr_.sun_path[0] == '\0';
}

std::string_view unix_address::name() const noexcept {
    if (is_unnamed()) return {};
    if (is_abstract()) return {addr_.sun_path + 1, size_ - path_offset - 1};
    return {addr_.sun_path, size_ - path_offset - 1};
}

std::string unix_address::to_string() const {
    if (is_unnamed()) return "(unnamed)";
    std::string text;
    if (is_abstract()) text.push_back('@');
    text.append(name());
    return text;
}

bool operator==(const unix_address& a, const unix_address& b) noexcept {
    return a.size_ == b.size_ &&
           std::memcmp(a.addr_.sun_path, b.addr_.sun_path, a.size_ - path_offset) == 0;
}

} // namespace eddy::net
