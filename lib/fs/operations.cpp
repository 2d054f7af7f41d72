#include "eddy/fs/operations.hpp"

#include "pool_call.hpp"

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace eddy::fs {

namespace detail {

task<result<file_metadata>> stat_path(std::filesystem::path path, bool follow) {
    struct stat_job {
        std::filesystem::path path;
        bool follow;
        std::pair<struct stat, int> operator()() const {
            std::pair<struct stat, int> out{};
            const int rc =
                follow ? ::stat(path.c_str(), &out.first) : ::lstat(path.c_str(), &out.first);
            if (rc < 0) out.second = errno;
            return out;
        }
    };
    stat_job job{path, follow};
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    if (done->second != 0) co_return path_error(done->second, path);
    co_return file_metadata::from_stat(done->first);
}

} // namespace detail

namespace {

using detail::on_pool;
using detail::path_error;

/// A change to one path, as a syscall: 0, or the errno.
using path_call = int (*)(const std::filesystem::path&);

task<result<void>> change(std::filesystem::path path, path_call call) {
    struct change_job {
        std::filesystem::path path;
        path_call call;
        int operator()() const { return call(path); }
    };
    change_job job{path, call};
    auto err = co_await on_pool(std::move(job));
    if (!err) co_return std::move(err).error();
    if (*err != 0) co_return path_error(*err, path);
    co_return ok();
}

int errno_of(int rc) noexcept {
    return rc < 0 ? errno : 0;
}

bool is_dir(const std::filesystem::path& path) noexcept {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

int make_dir(const std::filesystem::path& path) {
    return errno_of(::mkdir(path.c_str(), 0777));
}

/// mkdir -p: creates the missing parents first, and accepts a directory that is there.
int make_dirs(const std::filesystem::path& path) {
    if (path.empty()) return 0;
    int err = make_dir(path);
    if (err == ENOENT) {
        const auto parent = path.parent_path();
        if (parent.empty() || parent == path) return err;
        if (const int up = make_dirs(parent); up != 0) return up;
        err = make_dir(path);
    }
    if (err == EEXIST && is_dir(path)) return 0;
    return err;
}

int remove_tree(const std::filesystem::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) < 0) return errno;
    if (S_ISLNK(st.st_mode)) return errno_of(::unlink(path.c_str()));
    if (!S_ISDIR(st.st_mode)) return ENOTDIR;
    std::error_code ec;
    std::filesystem::remove_all(path, ec); // does not follow symlinks inside
    return ec.value();
}

int unlink_file(const std::filesystem::path& path) {
    return errno_of(::unlink(path.c_str()));
}

int remove_empty_dir(const std::filesystem::path& path) {
    return errno_of(::rmdir(path.c_str()));
}

} // namespace

task<result<void>> rename(std::filesystem::path from, std::filesystem::path to) {
    struct rename_job {
        std::filesystem::path from, to;
        int operator()() const { return errno_of(::rename(from.c_str(), to.c_str())); }
    };
    rename_job job{from, to};
    auto err = co_await on_pool(std::move(job));
    if (!err) co_return std::move(err).error();
    if (*err != 0) co_return error::from_errno(*err, detail::two_paths(from, to));
    co_return ok();
}

// Each runs its syscall on the pool (`change` owns the path and the call: nothing dangles).
task<result<void>> remove_file(std::filesystem::path path) {
    return change(std::move(path), unlink_file);
}
task<result<void>> create_dir(std::filesystem::path path) {
    return change(std::move(path), make_dir);
}
task<result<void>> create_dir_all(std::filesystem::path path) {
    return change(std::move(path), make_dirs);
}
task<result<void>> remove_dir(std::filesystem::path path) {
    return change(std::move(path), remove_empty_dir);
}
task<result<void>> remove_dir_all(std::filesystem::path path) {
    return change(std::move(path), remove_tree);
}

task<result<file_metadata>> metadata(std::filesystem::path path) {
    auto m = co_await detail::stat_path(std::move(path), true);
    co_return m;
}

task<result<file_metadata>> symlink_metadata(std::filesystem::path path) {
    auto m = co_await detail::stat_path(std::move(path), false);
    co_return m;
}

task<result<std::filesystem::path>> canonicalize(std::filesystem::path path) {
    struct realpath_job {
        std::filesystem::path path;
        std::pair<std::filesystem::path, int> operator()() const {
            char* resolved = ::realpath(path.c_str(), nullptr);
            if (!resolved) return {{}, errno};
            std::filesystem::path out(resolved);
            std::free(resolved);
            return {std::move(out), 0};
        }
    };
    realpath_job job{path};
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    if (done->second != 0) co_return path_error(done->second, path);
    co_return std::move(done->first);
}

} // namespace eddy::fs
