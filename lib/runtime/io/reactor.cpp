#include "eddy/runtime/detail/io/reactor.hpp"

#include "eddy/runtime/detail/io/fd_readiness.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace eddy::detail {

reactor::reactor(int wake_fd) : epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)), wake_fd_(wake_fd) {
    if (!epoll_fd_.valid()) throw std::system_error(errno, std::system_category(), "epoll_create1");
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.ptr = nullptr; // null marks the wake-up fd
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_, &ev) < 0)
        throw std::system_error(errno, std::system_category(), "epoll_ctl(eventfd)");
}

reactor::~reactor() = default;

result<void> reactor::add(fd_readiness& f) noexcept {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.ptr = &f;
    if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, f.fd(), &ev) < 0)
        return error::from_errno(errno);
    return {};
}

void reactor::remove(fd_readiness& f) noexcept {
    epoll_event ev{};
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, f.fd(), &ev);
}

void reactor::poll(int timeout_ms) {
    constexpr int max_events = 256;
    epoll_event events[max_events];
    int n = ::epoll_wait(epoll_fd_.get(), events, max_events, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return;
        throw std::system_error(errno, std::system_category(), "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
        auto* f = static_cast<fd_readiness*>(events[i].data.ptr);
        if (f) {
            f->on_event(events[i].events);
        } else {
            std::uint64_t count;
            [[maybe_unused]] auto r = ::read(wake_fd_, &count, sizeof count);
        }
    }
}

} // namespace eddy::detail
