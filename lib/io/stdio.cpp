#include "eddy/io/stdio.hpp"

#include "eddy/detail/retry_on_eintr.hpp"

#include "eddy/runtime/spawn_blocking.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace eddy::io {

namespace detail {

namespace {

constexpr std::size_t pool_chunk = 64 * 1024;

const char* stream_name(int fd) noexcept {
    switch (fd) {
    case 0: return "stdin";
    case 1: return "stdout";
    default: return "stderr";
    }
}

/// `fd` moved to a number above 2 (close-on-exec), so eddy's own handle never sits where
/// a later dup2() onto a standard stream would silently replace it. Takes ownership.
int above_standard_fds(int fd) noexcept {
    if (fd > 2) return fd;
    const eddy::detail::unique_fd original(fd); // closed on return; errno is kept
    return ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

/// Whether a failed blocking call should be tried again: after EAGAIN on a description
/// someone else made non-blocking (then wait for it here, on the pool).
bool try_again(int fd, short events) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    pollfd p{fd, events, 0};
    return eddy::detail::retry_on_eintr([&] { return ::poll(&p, 1, -1); }) >= 0;
}

/// The pool's blocking read of at most `max` bytes, into a buffer of its own.
std::pair<result<std::size_t>, std::vector<std::byte>> read_chunk(int fd, std::size_t max) {
    std::vector<std::byte> bytes(max);
    for (;;) {
        const ssize_t n =
            eddy::detail::retry_on_eintr([&] { return ::read(fd, bytes.data(), bytes.size()); });
        if (n >= 0) {
            bytes.resize(static_cast<std::size_t>(n));
            return {static_cast<std::size_t>(n), std::move(bytes)};
        }
        if (!try_again(fd, POLLIN)) return {error::from_errno(errno), {}};
    }
}

result<std::size_t> write_chunk(int fd, const std::vector<std::byte>& bytes) {
    for (;;) {
        const ssize_t n =
            eddy::detail::retry_on_eintr([&] { return ::write(fd, bytes.data(), bytes.size()); });
        if (n >= 0) return static_cast<std::size_t>(n);
        if (!try_again(fd, POLLOUT)) return error::from_errno(errno);
    }
}

} // namespace

template <> ssize_t stdio_call<false>::operator()(int fd) const noexcept {
    return socket ? ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT)
                  : ::read(fd, buf.data(), buf.size());
}

template <> ssize_t stdio_call<true>::operator()(int fd) const noexcept {
    return socket ? ::send(fd, buf.data(), buf.size(), MSG_DONTWAIT | MSG_NOSIGNAL)
                  : ::write(fd, buf.data(), buf.size());
}

task<result<std::size_t>> pooled_read(std::shared_ptr<const pooled_fd> fd,
                                      std::span<std::byte> out) {
    auto job = [fd = std::move(fd), max = std::min(out.size(), pool_chunk)] {
        return read_chunk(fd->get(), max);
    };
    try {
        auto [n, bytes] = co_await spawn_blocking(std::move(job));
        // Only now, with the caller still waiting, is its buffer written.
        if (n) std::copy(bytes.begin(), bytes.end(), out.begin());
        co_return n;
    } catch (const std::system_error& e) { // the pool closed: the runtime is stopping
        co_return error(e.code());
    }
}

task<result<std::size_t>> pooled_write(std::shared_ptr<const pooled_fd> fd,
                                       std::span<const std::byte> in) {
    // The job writes from its own copy: a cancelled caller may free `in` at once.
    in = in.first(std::min(in.size(), pool_chunk));
    auto job = [fd = std::move(fd), bytes = std::vector<std::byte>(in.begin(), in.end())] {
        return write_chunk(fd->get(), bytes);
    };
    try {
        auto n = co_await spawn_blocking(std::move(job));
        co_return n;
    } catch (const std::system_error& e) {
        co_return error(e.code());
    }
}

stdio_channel stdio_channel::open(int fd, bool write) {
    stdio_channel ch;
    ch.name_ = stream_name(fd);
    std::string context(ch.name_);
    context.append(" (fd ").append(std::to_string(fd)).append(")");
    const auto unavailable = [&](int err) {
        ch.failure_ = error::from_errno(err, context);
        return std::move(ch);
    };

    struct stat st {};
    if (::fstat(fd, &st) < 0) return unavailable(errno); // EBADF: the fd is closed

    if (S_ISSOCK(st.st_mode)) {
        // A socket cannot be reopened (ENXIO); a copy shares its blocking description, so
        // every call passes MSG_DONTWAIT instead.
        const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (copy < 0) return unavailable(errno);
        auto handle = net::detail::socket_handle::adopt(copy);
        if (!handle) return unavailable(handle.error().code().value());
        ch.handle_ = std::move(*handle);
        ch.mode_ = stdio_mode::socket;
        return ch;
    }

    if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        // A new open file description of the same pipe or terminal: O_NONBLOCK on it stays
        // ours. It can fail (no /proc; ENXIO for a FIFO without a reader), and epoll refuses
        // some devices (/dev/null: EPERM); both fall back to the blocking pool.
        const std::string path = "/proc/self/fd/" + std::to_string(fd);
        const int flags = (write ? O_WRONLY : O_RDONLY) | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
        if (const int reopened = above_standard_fds(::open(path.c_str(), flags)); reopened >= 0) {
            if (auto handle = net::detail::socket_handle::adopt(reopened)) {
                ch.handle_ = std::move(*handle);
                ch.mode_ = stdio_mode::readiness;
                return ch;
            }
        }
    }

    const int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) return unavailable(errno);
    ch.pooled_ = std::make_shared<const pooled_fd>(copy);
    ch.mode_ = stdio_mode::blocking_pool;
    return ch;
}

void stdio_channel::close() noexcept {
    handle_.close();
    pooled_.reset();
    mode_ = stdio_mode::unavailable;
    std::string context(name_);
    context.append(" was shut down");
    failure_ = error(std::make_error_code(std::errc::bad_file_descriptor), std::move(context));
}

} // namespace detail

standard_input stdin() {
    return standard_input(detail::stdio_channel::open(0, false));
}

standard_output stdout() {
    return standard_output(detail::stdio_channel::open(1, true));
}

standard_output stderr() {
    return standard_output(detail::stdio_channel::open(2, true));
}

} // namespace eddy::io
