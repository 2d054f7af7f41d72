// `unique_fd`: an fd with one owner, closed when the owner lets go. Every file and socket
// source holds a new fd in one until it is handed on (to the reactor, to a shared owner,
// or to the caller), so no error path can leak it.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <utility>

namespace eddy::detail {

class unique_fd {
  public:
    unique_fd() noexcept = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
    unique_fd& operator=(unique_fd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    ~unique_fd() { close(); }

    /// The fd, or -1 when there is none (also after a failed call that made it: `fd < 0`).
    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    /// Gives the fd up without closing it.
    int release() noexcept { return std::exchange(fd_, -1); }
    /// Closes the fd held (if any) and holds `fd` instead.
    void reset(int fd = -1) noexcept {
        close();
        fd_ = fd;
    }
    /// Closes now: 0, or the errno of close (a write error may surface only here, on NFS
    /// for one). The errno of the caller is kept.
    int close() noexcept {
        if (fd_ < 0) return 0;
        const int saved = errno;
        const int err = ::close(std::exchange(fd_, -1)) < 0 ? errno : 0;
        errno = saved;
        return err;
    }

  private:
    int fd_ = -1;
};

} // namespace eddy::detail
