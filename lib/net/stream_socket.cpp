#include "eddy/net/stream_socket.hpp"

namespace eddy::net {

result<std::size_t> stream_socket::try_read(std::span<std::byte> buf) noexcept {
    detail::recv_call call{buf};
    return eddy::detail::attempt(handle_.readiness(), call, detail::stream_read);
}

result<std::size_t> stream_socket::try_write(std::span<const std::byte> buf) noexcept {
    detail::send_call call{buf};
    return eddy::detail::attempt(handle_.readiness(), call, detail::stream_write);
}

eddy::detail::completed<result<void>> stream_socket::shutdown() noexcept {
    using done = eddy::detail::completed<result<void>>;
    if (::shutdown(handle_.fd(), SHUT_WR) < 0 && errno != ENOTCONN)
        return done(error::from_errno(errno, "shutdown"));
    return done(result<void>{});
}

} // namespace eddy::net
