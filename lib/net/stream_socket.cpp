#include "eddy/net/detail/stream_socket.hpp"

namespace eddy::net::detail {

result<std::size_t> stream_socket::try_read(std::span<std::byte> buf) noexcept {
    recv_call call{buf};
    bool blocked;
    return eddy::detail::attempt(handle_.state(), call, stream_read, blocked);
}

result<std::size_t> stream_socket::try_write(std::span<const std::byte> buf) noexcept {
    send_call call{buf};
    bool blocked;
    return eddy::detail::attempt(handle_.state(), call, stream_write, blocked);
}

eddy::detail::ready_value<result<void>> stream_socket::shutdown() noexcept {
    if (::shutdown(handle_.fd(), SHUT_WR) < 0 && errno != ENOTCONN)
        return eddy::detail::ready_value<result<void>>(error::from_errno(errno, "shutdown"));
    return eddy::detail::ready_value<result<void>>(result<void>{});
}

} // namespace eddy::net::detail
