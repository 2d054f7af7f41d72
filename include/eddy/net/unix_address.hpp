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

class unix_address {
  public:
    /// The unnamed address.
    unix_address() noexcept;

    /// A path ("/tmp/x.sock", "rel.sock") or an abstract name ("@name"). Errors
    /// (`errc::invalid_address`, naming the text): empty, longer than the kernel takes
    /// (107 bytes for a path, 106 for a name), or a path holding a NUL byte.
    static result<unix_address> parse(std::string_view text);
    /// Wraps what the kernel returned (accept, getsockname, recvfrom).
    static unix_address from_native(const sockaddr* addr, socklen_t len) noexcept;

    bool is_unnamed() const noexcept;
    bool is_abstract() const noexcept;
    bool is_path() const noexcept { return !is_unnamed() && !is_abstract(); }
    /// The path, or the abstract name without its '@'; empty when unnamed.
    std::string_view name() const noexcept;

    /// The path, "@name", or "(unnamed)".
    std::string to_string() const;

    const sockaddr* native() const noexcept { return reinterpret_cast<const sockaddr*>(&addr_); }
    socklen_t native_size() const noexcept { return size_; }

    friend bool operator==(const unix_address& a, const unix_address& b) noexcept;

  private:
    sockaddr_un addr_;
    socklen_t size_;
};

} // namespace eddy::net
