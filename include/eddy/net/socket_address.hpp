// `socket_address`: an IPv4 or IPv6 address with a port (a Unix path has its own type).
//
//     auto a = eddy::net::socket_address::parse("127.0.0.1:8080").value();
//     auto b = eddy::net::socket_address::parse("[::1]:0");           // port 0: any free port
//     auto c = co_await eddy::net::resolve("localhost:80");           // names: blocking pool
//
// `parse` takes numeric addresses only and never blocks; `resolve` also takes host names.
// A string that is not an address gives `errc::invalid_address` with the string and the
// reason in the message; so does one holding a NUL byte (it is never cut short at it).
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <vector>

namespace eddy::net {

class socket_address {
  public:
    /// An empty address (family AF_UNSPEC).
    socket_address() noexcept;

    /// Parses "1.2.3.4:80" or "[::1]:80" (numeric host, port 0 to 65535).
    static result<socket_address> parse(std::string_view text);
    /// Wraps what the kernel returned (accept, getsockname); only AF_INET and AF_INET6.
    static socket_address from_native(const sockaddr* addr, socklen_t len) noexcept;
    /// 127.0.0.1:port.
    static socket_address loopback_v4(std::uint16_t port) noexcept;
    /// [::1]:port.
    static socket_address loopback_v6(std::uint16_t port) noexcept;

    int family() const noexcept { return storage_.ss_family; }
    bool is_v4() const noexcept { return family() == AF_INET; }
    bool is_v6() const noexcept { return family() == AF_INET6; }

    std::uint16_t port() const noexcept;
    void set_port(std::uint16_t port) noexcept;

    /// "1.2.3.4:80" or "[::1]:80".
    std::string to_string() const;

    const sockaddr* native() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    socklen_t native_size() const noexcept { return size_; }

    friend bool operator==(const socket_address& a, const socket_address& b) noexcept;

  private:
    sockaddr_storage storage_;
    socklen_t size_;
};

/// Resolves "host:port" (a name, or a numeric address) to its addresses, in the resolver's
/// order. Names are looked up with getaddrinfo on the blocking pool. Errors:
/// `errc::invalid_address` naming the input (bad syntax, unknown host).
task<result<std::vector<socket_address>>> resolve(std::string host_port);

/// Splits "host:port" or "[v6]:port" into host and port; used by `parse` and `resolve`.
/// Errors: `errc::invalid_address` naming the text (bad syntax, a NUL byte anywhere).
result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text);

} // namespace eddy::net
