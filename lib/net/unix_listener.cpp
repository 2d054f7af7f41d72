#include "eddy/net/unix_listener.hpp"

#include "eddy/detail/unique_fd.hpp"
#include "eddy/net/detail/accept.hpp"
#include "eddy/net/detail/sockopt.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <string>

namespace eddy::net {

namespace {

error bind_error(int err, const unix_address& addr) {
    std::string where = addr.to_string();
    // bind() never replaces a file; say why, since the file is often a dead server's socket.
    if (err == EADDRINUSE && addr.is_path())
        where.append(" (a file exists at that path; remove it if no server uses it)");
    return error::from_errno(err, std::move(where));
}

} // namespace

result<unix_listener> unix_listener::bind(const unix_address& addr, unix_listen_options opts) {
    eddy::detail::unique_fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) return error::from_errno(errno, addr.to_string());
    if (::bind(fd.get(), addr.native(), addr.native_size()) < 0) return bind_error(errno, addr);
    if (::listen(fd.get(), opts.backlog) < 0) {
        const int err = errno;
        fd.close();
        // The file is ours (bind just made it): leave nothing behind.
        if (addr.is_path()) ::unlink(std::string(addr.name()).c_str());
        return error::from_errno(err, addr.to_string());
    }
    auto handle = detail::socket_handle::adopt(fd.release());
    if (!handle) return error(handle.error().code(), addr.to_string());
    return unix_listener(std::move(*handle));
}

result<unix_listener> unix_listener::bind(std::string_view addr, unix_listen_options opts) {
    auto parsed = unix_address::parse(addr);
    if (!parsed) return std::move(parsed).error();
    return bind(*parsed, opts);
}

task<result<unix_stream>> unix_listener::accept() {
    auto accepted = co_await detail::accept_connection(handle_);
    if (!accepted) co_return std::move(accepted).error();
    co_return unix_stream(std::move(*accepted));
}

result<unix_address> unix_listener::local_addr() const {
    return detail::local_unix_address(handle_.fd());
}

} // namespace eddy::net
