// What the fs code shares, private to lib/fs: running a job on the blocking pool with the
// result folded into one `result`, the shared fd that keeps a file open for pool jobs, and
// errors that name paths.
#pragma once

#include "eddy/error.hpp"
#include "eddy/fs/metadata.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/spawn_blocking.hpp"
#include "eddy/runtime/task.hpp"

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>
#include <type_traits>
#include <unistd.h>
#include <utility>

namespace eddy::fs::detail {

/// An fd closed when the last owner lets go: the file and each pool job working on it hold a
/// share, so a job that outlives its cancelled caller still has an open fd.
class shared_fd {
  public:
    explicit shared_fd(int fd) noexcept : fd_(fd) {}
    shared_fd(const shared_fd&) = delete;
    shared_fd& operator=(const shared_fd&) = delete;
    ~shared_fd() { ::close(fd_); }
    int get() const noexcept { return fd_; }

  private:
    int fd_;
};

/// An fd owned by state that moves between hops of one operation; closes itself.
class owned_fd {
  public:
    owned_fd() = default;
    owned_fd(const owned_fd&) = delete;
    owned_fd& operator=(const owned_fd&) = delete;
    ~owned_fd() { close(); }
    int get() const noexcept { return fd_; }
    void reset(int fd) noexcept {
        close();
        fd_ = fd;
    }
    /// Closes now: 0 or the errno (a write error may surface only here, e.g. on NFS).
    int close() noexcept {
        if (fd_ < 0) return 0;
        return ::close(std::exchange(fd_, -1)) < 0 ? errno : 0;
    }

  private:
    int fd_ = -1;
};

template <class T> struct pool_result { using type = result<T>; };
template <class T> struct pool_result<result<T>> { using type = result<T>; };
template <class F> using pool_result_t = typename pool_result<std::invoke_result_t<F&>>::type;

/// Runs `job` on the blocking pool and gives what it returned, as a `result`:
/// `operation_canceled` when the runtime stops before the job could run.
template <class F> task<pool_result_t<F>> on_pool(F job) {
    if (eddy::detail::current_scheduler().stopping()) co_return errc::operation_canceled;
    try {
        auto call = spawn_blocking(std::move(job));
        auto value = co_await std::move(call);
        co_return std::move(value);
    } catch (const std::system_error& e) { // only the pool closing throws: jobs do not
        co_return error(e.code());
    }
}

inline error path_error(int err, const std::filesystem::path& path) {
    return error::from_errno(err, path.string());
}

/// `invalid_argument` naming `context` (a path) and why: "invalid argument: /x (why)".
inline error invalid(std::string context, const char* why) {
    context.append(" (").append(why).append(")");
    return error(errc::invalid_argument, std::move(context));
}

/// "FROM -> TO", for errors of operations on two paths.
inline std::string two_paths(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::string both = from.string();
    both.append(" -> ").append(to.string());
    return both;
}

/// stat (`follow`) or lstat of `path`, on the pool: the metadata, or the error naming it.
task<result<file_metadata>> stat_path(std::filesystem::path path, bool follow);

} // namespace eddy::fs::detail
