// `unix_address`: where a Unix socket lives, a filesystem path or a Linux abstract name.
//
//     auto a = eddy::net::unix_address::parse("/run/app.sock").value();   // a path
//     auto b = eddy::net::unix_address::parse("@app").value();            // abstract: no file
//     spdlog::info("peer {}", peer.to_string());                          // "(unnamed)" too
//
// An abstract name is written with a leading '@' (as `ss` and systemd show them); it lives
// in the network namespace, not on disk, and goes away with the last socket bound to it. A
// socket that never bound (a client, one end of a pair) has an unnamed address.
#pragma once

#include "eddy/result.hpp"

#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>

namespace eddy::net {

/// Where a Unix socket lives: a path, an abstract name, or unnamed; a plain value. See the
/// top of this header.
class unix_address {
  public:
    /// The unnamed address.
    unix_address() noexcept;

    /// A path (`"/tmp/x.sock"`, `"rel.sock"`) or an abstract name (`"@name"`). Errors
    /// (`errc::invalid_address`, naming the text): empty, longer than the kernel takes
    /// (107 bytes for a path or a name), or holding a NUL byte anywhere (text is
    /// never cut short at a NUL; for a name that holds one, use `abstract`).
    static result<unix_address> parse(std::string_view text);
    /// The abstract name `name`, its bytes taken as they are, NUL bytes included (the
    /// kernel allows them; `parse` does not). Errors (`errc::invalid_address`): empty, or
    /// longer than 107 bytes. `to_string()` gives such a name back with its NULs.
    static result<unix_address> abstract(std::string_view name);
    /// Wraps what the kernel returned (accept, getsockname, recvfrom). Anything else (not
    /// AF_UNIX, a null `addr`, a path that fills `sun_path` with no NUL after it) gives the
    /// unnamed address.
    static unix_address from_native(const sockaddr* addr, socklen_t len) noexcept;

    /// True for the unnamed address (a socket that never bound).
    bool is_unnamed() const noexcept;
    /// True for an abstract name.
    bool is_abstract() const noexcept;
    /// True for a filesystem path.
    bool is_path() const noexcept { return !is_unnamed() && !is_abstract(); }
    /// The path, or the abstract name without its '@'; empty when unnamed.
    std::string_view name() const noexcept;

    /// The path, `"@name"`, or `"(unnamed)"`.
    std::string to_string() const;

    /// The address as a `sockaddr`, for system calls eddy does not wrap.
    const sockaddr* native() const noexcept { return reinterpret_cast<const sockaddr*>(&addr_); }
    /// The length of `native()` in bytes, as the kernel takes it.
    socklen_t native_size() const noexcept { return size_; }

    /// Equal when both are unnamed, or name the same path or the same abstract name.
    friend bool operator==(const unix_address& a, const unix_address& b) noexcept;

  private:
    sockaddr_un addr_;
    socklen_t size_;
};

} // namespace eddy::net
