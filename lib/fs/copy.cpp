// fs::copy: the content (copy_file_range, or read and write where the kernel cannot) and the
// permission bits of one regular file to another, in hops of at most `max_chunk` bytes.
#include "eddy/fs/file.hpp"
#include "eddy/fs/operations.hpp"

#include "eddy/detail/retry_on_eintr.hpp"
#include "eddy/detail/unique_fd.hpp"

#include "pool_call.hpp"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace eddy::fs {
namespace {

using eddy::detail::retry_on_eintr;
using eddy::detail::unique_fd;

struct copying {
    std::filesystem::path from, to;
    unique_fd source, target;
    std::uint64_t copied = 0;
    bool kernel_copy = true;       // copy_file_range, until it says it cannot
    std::vector<std::byte> buffer; // for read and write, when it cannot
    int error = 0;
    const char* invalid = nullptr; // why the paths cannot be copied, if they cannot
    bool ended = false;

    void hop() {
        if (source.get() < 0 && !open()) return;
        std::size_t budget = max_chunk;
        while (budget > 0 && !ended && error == 0) {
            const ssize_t n = kernel_copy ? copy_range(budget) : copy_through(budget);
            if (n < 0) continue; // fell back to read and write, or failed (error set)
            ended = n == 0;
            copied += static_cast<std::uint64_t>(n);
            budget -= static_cast<std::size_t>(n);
        }
        if (ended && error == 0) error = target.close();
    }

    bool open() {
        source.reset(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
        if (source.get() < 0) return fail(errno);
        struct stat src {};
        if (::fstat(source.get(), &src) < 0) return fail(errno);
        if (!S_ISREG(src.st_mode)) return refuse("the source is not a regular file");
        struct stat dst {};
        if (::stat(to.c_str(), &dst) == 0 && dst.st_dev == src.st_dev && dst.st_ino == src.st_ino)
            return refuse("the source and the target are the same file");
        const mode_t permissions = src.st_mode & 07777;
        target.reset(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, permissions));
        if (target.get() < 0) return fail(errno);
        // A target that existed keeps its mode through open(2), and the umask cut a new one.
        if (::fchmod(target.get(), permissions) < 0) return fail(errno);
        return true;
    }

    ssize_t copy_range(std::size_t budget) {
        const ssize_t n = retry_on_eintr([&] {
            return ::copy_file_range(source.get(), nullptr, target.get(), nullptr, budget, 0);
        });
        if (n >= 0) return n;
        // Kernels and filesystems that cannot copy these two files: copy by hand instead.
        if (copied == 0 && (errno == ENOSYS || errno == EXDEV || errno == EINVAL ||
                            errno == EOPNOTSUPP || errno == EPERM)) {
            kernel_copy = false;
            return -1;
        }
        error = errno;
        return -1;
    }

    ssize_t copy_through(std::size_t budget) {
        if (buffer.empty()) buffer.resize(256 * 1024);
        const ssize_t n = retry_on_eintr(
            [&] { return ::read(source.get(), buffer.data(), std::min(budget, buffer.size())); });
        if (n <= 0) {
            if (n < 0) error = errno;
            return n;
        }
        for (ssize_t done = 0; done < n;) {
            const ssize_t w = retry_on_eintr([&] {
                return ::write(target.get(), buffer.data() + done,
                               static_cast<std::size_t>(n - done));
            });
            if (w < 0) {
                error = errno;
                return -1;
            }
            done += w;
        }
        return n;
    }

    bool fail(int err) {
        error = err;
        return false;
    }
    bool refuse(const char* why) {
        invalid = why;
        error = EINVAL;
        return false;
    }
};

} // namespace

task<result<std::uint64_t>> copy(std::filesystem::path from, std::filesystem::path to) {
    auto state = std::make_unique<copying>();
    state->from = from;
    state->to = to;
    auto done = co_await detail::run_in_hops(std::move(state));
    if (!done) co_return std::move(done).error();
    const copying& copied = **done;
    if (copied.invalid) co_return detail::invalid(detail::two_paths(from, to), copied.invalid);
    if (copied.error != 0) co_return error::from_errno(copied.error, detail::two_paths(from, to));
    co_return copied.copied;
}

} // namespace eddy::fs
