// Fuzz target for the address parsers: every input is given, as text, to
// `socket_address::parse`, `split_host_port` and `unix_address::parse`, and what they return
// must hold together: an accepted address prints as text that parses back to it, and a
// refused one is `errc::invalid_address` with a message naming the text, and text holding a
// NUL byte is never accepted.

#include "fuzz_check.hpp"

#include "eddy/error.hpp"
#include "eddy/net/socket_address.hpp"
#include "eddy/net/unix_address.hpp"

#include <netinet/in.h>
#include <sys/un.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

using eddy_fuzz::check;

/// A refusal is `errc::invalid_address` and its message names the text (up to a NUL byte,
/// which a message may spell out rather than hold).
template <class Result> void check_refusal(const Result& parsed, std::string_view text) {
    check(parsed.error() == eddy::errc::invalid_address, "refused with another error code", text);
    const std::string message = parsed.error().message();
    check(!message.empty(), "refused with an empty message", text);
    const std::string_view named = text.substr(0, text.find('\0'));
    check(message.find(named) != std::string::npos, "the message does not name the text", text);
}

void check_split(std::string_view text) {
    auto parts = eddy::net::split_host_port(text);
    if (!parts) return check_refusal(parts, text);
    const std::string& host = parts->first;
    check(!host.empty(), "split_host_port gave an empty host", text);
    if (text.front() == '[')
        check(host.find(']') == std::string::npos, "a bracketed host holds ']'", text);
    else
        check(host.find(':') == std::string::npos, "an unbracketed host holds ':'", text);
}

void check_socket_address(std::string_view text) {
    auto parsed = eddy::net::socket_address::parse(text);
    if (!parsed) return check_refusal(parsed, text);
    const auto& a = *parsed;
    check(text.find('\0') == std::string_view::npos, "accepted text holding NUL", text);

    const bool bracketed = text.front() == '[';
    check(a.is_v6() == bracketed && a.is_v4() == !bracketed, "wrong family for the syntax", text);
    check(a.native_size() == (bracketed ? sizeof(sockaddr_in6) : sizeof(sockaddr_in)),
          "native size does not match the family", text);
    auto parts = eddy::net::split_host_port(text);
    check(parts.has_value(), "parse accepted what split_host_port refuses", text);
    check(a.port() == parts->second, "the port is not the one written", text);

    const std::string printed = a.to_string();
    check(printed.starts_with('[') == bracketed, "printed in the other family's syntax", text);
    auto again = eddy::net::socket_address::parse(printed);
    check(again.has_value(), "to_string() gave text that does not parse", text);
    check(*again == a, "to_string() parsed back to another address", text);
    check(again->to_string() == printed, "to_string() is not stable", text);
    check(eddy::net::socket_address::from_native(a.native(), a.native_size()) == a,
          "from_native(native()) differs", text);
}

void check_unix_address(std::string_view text) {
    auto parsed = eddy::net::unix_address::parse(text);
    if (!parsed) return check_refusal(parsed, text);
    const auto& a = *parsed;

    check(!text.empty(), "accepted an empty address", text);
    if (text.front() == '@') {
        check(a.is_abstract(), "an '@' name is not abstract", text);
        check(a.name() == text.substr(1), "abstract name differs from the text", text);
    } else {
        check(a.is_path(), "a path is not a path", text);
        check(a.name() == text, "path differs from the text", text);
        check(text.find('\0') == std::string_view::npos, "accepted a path holding NUL", text);
    }
    check(a.name().size() < sizeof(sockaddr_un::sun_path), "name longer than sun_path takes", text);
    check(a.native_size() <= sizeof(sockaddr_un), "native size beyond sockaddr_un", text);
    check(a.to_string() == text, "to_string() is not the text parsed", text);
    auto again = eddy::net::unix_address::parse(a.to_string());
    check(again.has_value() && *again == a, "to_string() does not parse back to it", text);
    check(eddy::net::unix_address::from_native(a.native(), a.native_size()) == a,
          "from_native(native()) differs", text);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    check_split(text);
    check_socket_address(text);
    check_unix_address(text);
    return 0;
}
