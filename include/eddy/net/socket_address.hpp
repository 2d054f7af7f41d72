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

/// Sockets on the calling core's reactor: TCP (`tcp_listener`, `tcp_stream`), UDP
/// (`udp_socket`), Unix (`unix_listener`, `unix_stream`, `unix_datagram`), their addresses,
/// and the halves of a split stream.
namespace eddy::net {

/// An IPv4 or IPv6 address with a port, or the empty address; a plain value.
class socket_address {
  public:
    /// An empty address (family AF_UNSPEC).
    socket_address() noexcept;

    /// Parses `"1.2.3.4:80"` or `"[::1]:80"` (numeric host, port 0 to 65535); never blocks.
    /// Errors: `errc::invalid_address` naming the text and saying why (no port, a port out
    /// of range, a host that is not a numeric address: names need `resolve`).
    static result<socket_address> parse(std::string_view text);
    /// Wraps what the kernel returned (accept, getsockname); only AF_INET and AF_INET6. Any
    /// other family, a null `addr` or a `len` larger than a `sockaddr_storage` gives the
    /// empty address.
    static socket_address from_native(const sockaddr* addr, socklen_t len) noexcept;
    /// 127.0.0.1 with `port`.
    static socket_address loopback_v4(std::uint16_t port) noexcept;
    /// The IPv6 loopback address, `[::1]`, with `port`.
    static socket_address loopback_v6(std::uint16_t port) noexcept;

    /// AF_INET, AF_INET6, or AF_UNSPEC for the empty address.
    int family() const noexcept { return storage_.ss_family; }
    /// True for an IPv4 address.
    bool is_v4() const noexcept { return family() == AF_INET; }
    /// True for an IPv6 address.
    bool is_v6() const noexcept { return family() == AF_INET6; }

    /// The port (host byte order); 0 for the empty address.
    std::uint16_t port() const noexcept;
    /// Sets the port; the empty address stays as it is.
    void set_port(std::uint16_t port) noexcept;

    /// `"1.2.3.4:80"`, `"[::1]:80"`, or `"(unspecified)"` for the empty address.
    std::string to_string() const;

    /// The address as a `sockaddr`, for system calls eddy does not wrap.
    const sockaddr* native() const noexcept { return reinterpret_cast<const sockaddr*>(&storage_); }
    /// The length of `native()` in bytes; 0 for the empty address.
    socklen_t native_size() const noexcept { return size_; }

    /// Equal when family, address and port are (for IPv6, flow label and scope id too).
    friend bool operator==(const socket_address& a, const socket_address& b) noexcept;

  private:
    sockaddr_storage storage_;
    socklen_t size_;
};

/// Resolves `"host:port"` (a name, or a numeric address) to its addresses, in the resolver's
/// order, at least one. A numeric address is parsed at once; names are looked up with
/// getaddrinfo on the blocking pool. Errors: `errc::invalid_address` naming the input and
/// saying why (bad syntax, the resolver's reason for an unknown host, no address found).
/// Cancel-safe: cancelled, the lookup still runs to its end on the pool and its result is
/// dropped.
task<result<std::vector<socket_address>>> resolve(std::string host_port);

/// Splits `"host:port"` or `"[v6]:port"` into host and port; used by `parse` and `resolve`.
/// The host is not checked. Errors: `errc::invalid_address` naming the text (bad syntax, an
/// IPv6 address without brackets, a port that is not a number from 0 to 65535, a NUL byte
/// anywhere).
result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text);

} // namespace eddy::net
