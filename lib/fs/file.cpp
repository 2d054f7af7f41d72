#include "eddy/fs/file.hpp"

#include "eddy/detail/retry_on_eintr.hpp"
#include "eddy/detail/unique_fd.hpp"

#include "pool_call.hpp"

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace eddy::fs {
namespace {

using detail::on_pool;
using eddy::detail::retry_on_eintr;
using eddy::detail::unique_fd;
/// An fd the file and each pool job working on it share: a job that outlives its cancelled
/// caller still has it open.
using shared_fd = std::shared_ptr<const unique_fd>;

constexpr std::int64_t largest_offset = std::numeric_limits<std::int64_t>::max();
// The offset a stream (pipe, character device) or an append-mode write uses: no offset.
constexpr std::int64_t no_offset = -1;

/// The open(2) flags for `o`, or why `o` cannot work.
result<int> open_flags(const open_options& o, const std::filesystem::path& path) {
    const auto invalid = [&](const char* why) { return detail::invalid(path.string(), why); };
    const bool writes = o.write || o.append;
    if (!o.read && !writes) return invalid("open_options allow neither reading nor writing");
    if (o.truncate && !o.write) return invalid("truncate needs write");
    if (o.truncate && o.append && !o.create_new) return invalid("truncate with append");
    if ((o.create || o.create_new) && !writes) return invalid("creating needs write or append");

    int flags = O_CLOEXEC;
    flags |= !writes ? O_RDONLY : o.read ? O_RDWR : O_WRONLY;
    if (o.append) flags |= O_APPEND;
    if (o.create_new) {
        flags |= O_CREAT | O_EXCL;
    } else {
        if (o.create) flags |= O_CREAT;
        if (o.truncate) flags |= O_TRUNC;
    }
    return flags;
}

struct opened {
    shared_fd fd; // null on error; closes the fd if a cancelled open drops it
    int error = 0;
    bool positional = true;
};

struct open_job {
    std::filesystem::path path;
    int flags;
    mode_t mode;

    opened operator()() const {
        const int fd = retry_on_eintr([&] { return ::open(path.c_str(), flags, mode); });
        if (fd < 0) return {nullptr, errno};
        opened out{std::make_shared<const unique_fd>(fd)};
        struct stat st {};
        if (::fstat(fd, &st) == 0)
            out.positional = !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode));
        return out;
    }
};

/// What a read or write job gives back: the count (or -errno), its buffer for reuse, and for
/// an append-mode write the position it left.
struct transferred {
    ssize_t count;
    std::unique_ptr<std::byte[]> buffer;
    std::int64_t end_position = no_offset;
};

/// The count, or -errno.
ssize_t count_or_error(auto call) {
    const ssize_t n = retry_on_eintr(call);
    return n < 0 ? -errno : n;
}

struct read_job {
    shared_fd fd;
    std::unique_ptr<std::byte[]> buffer;
    std::size_t size;
    std::int64_t offset;

    transferred operator()() {
        const int f = fd->get();
        std::byte* data = buffer.get();
        const ssize_t n = count_or_error([&] {
            return offset == no_offset ? ::read(f, data, size) : ::pread(f, data, size, offset);
        });
        return {n, std::move(buffer)};
    }
};

struct write_job {
    shared_fd fd;
    std::unique_ptr<std::byte[]> buffer;
    std::size_t size;
    std::int64_t offset;
    bool append;

    transferred operator()() {
        const int f = fd->get();
        const std::byte* data = buffer.get();
        const ssize_t n = count_or_error([&] {
            return offset == no_offset ? ::write(f, data, size) : ::pwrite(f, data, size, offset);
        });
        // O_APPEND writes move the fd's own offset to the end: that is the new position.
        const std::int64_t end = append && n >= 0 ? ::lseek(f, 0, SEEK_CUR) : no_offset;
        return {n, std::move(buffer), end};
    }
};

/// A job running one syscall on the fd that gives 0 or -1 with errno: its errno, or 0.
template <class Call> struct fd_job {
    shared_fd fd;
    Call call;
    int operator()() const {
        const int rc = retry_on_eintr([&] { return call(fd->get()); });
        return rc < 0 ? errno : 0;
    }
};
template <class Call> fd_job(shared_fd, Call) -> fd_job<Call>;

/// Runs `call(fd)` on the pool: ok, or the error naming `path` (which outlives the call).
template <class Call>
task<result<void>> on_fd(shared_fd fd, const std::filesystem::path& path, Call call) {
    fd_job job{std::move(fd), call};
    auto err = co_await on_pool(std::move(job));
    if (!err) co_return std::move(err).error();
    if (*err != 0) co_return detail::path_error(*err, path);
    co_return ok();
}

constexpr const char* past_largest = "offset past INT64_MAX";

} // namespace

file::file() noexcept = default;
file::file(file&&) noexcept = default;
file& file::operator=(file&&) noexcept = default;
file::~file() = default;

file::file(std::shared_ptr<const eddy::detail::unique_fd> fd, std::filesystem::path path,
           bool append, bool positional) noexcept
    : fd_(std::move(fd)), path_(std::move(path)), append_(append), positional_(positional) {}

int file::native_handle() const noexcept {
    return fd_ ? fd_->get() : -1;
}

task<result<file>> file::open(std::filesystem::path path, open_options options) {
    auto flags = open_flags(options, path);
    if (!flags) co_return std::move(flags).error();
    open_job job{path, *flags, options.mode};
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    if (!done->fd) co_return detail::path_error(done->error, path);
    co_return file(std::move(done->fd), std::move(path), options.append, done->positional);
}

task<result<file>> file::create(std::filesystem::path path) {
    auto opened = co_await open(std::move(path), {.write = true, .create = true, .truncate = true});
    co_return opened;
}

std::unique_ptr<std::byte[]> file::take_buffer(std::size_t size, std::size_t& capacity) {
    if (spare_ && spare_size_ >= size) {
        capacity = spare_size_;
        return std::move(spare_);
    }
    capacity = size;
    return std::make_unique_for_overwrite<std::byte[]>(size);
}

void file::keep_buffer(std::unique_ptr<std::byte[]> buffer, std::size_t capacity) noexcept {
    if (!spare_ || capacity > spare_size_) {
        spare_ = std::move(buffer);
        spare_size_ = capacity;
    }
}

task<result<std::size_t>> file::transfer_in(std::span<std::byte> buf, std::int64_t offset) {
    assert(fd_ && "reading a closed or moved-from file");
    const std::size_t size = std::min(buf.size(), max_chunk);
    if (size == 0) co_return std::size_t{0};
    std::size_t capacity = 0;
    read_job job{fd_, take_buffer(size, capacity), size, offset};
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    const ssize_t n = done->count;
    // Only now, back on the core and not cancelled, does the caller's buffer get the bytes.
    if (n > 0) std::memcpy(buf.data(), done->buffer.get(), static_cast<std::size_t>(n));
    keep_buffer(std::move(done->buffer), capacity);
    if (n < 0) co_return detail::path_error(static_cast<int>(-n), path_);
    co_return static_cast<std::size_t>(n);
}

task<result<std::size_t>> file::transfer_out(std::span<const std::byte> buf, std::int64_t offset) {
    assert(fd_ && "writing a closed or moved-from file");
    const std::size_t size = std::min(buf.size(), max_chunk);
    if (size == 0) co_return std::size_t{0};
    std::size_t capacity = 0;
    write_job job{fd_, take_buffer(size, capacity), size, offset, append_ && offset == no_offset};
    std::memcpy(job.buffer.get(), buf.data(), size); // the job owns its copy: `buf` may go
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    keep_buffer(std::move(done->buffer), capacity);
    if (done->count < 0) co_return detail::path_error(static_cast<int>(-done->count), path_);
    if (done->end_position >= 0) position_ = static_cast<std::uint64_t>(done->end_position);
    co_return static_cast<std::size_t>(done->count);
}

task<result<std::size_t>> file::read(std::span<std::byte> buf) {
    const std::int64_t offset = positional_ ? static_cast<std::int64_t>(position_) : no_offset;
    auto n = co_await transfer_in(buf, offset);
    if (n && positional_) position_ += *n;
    co_return n;
}

task<result<std::size_t>> file::write(std::span<const std::byte> buf) {
    const bool at_position = positional_ && !append_;
    const std::int64_t offset = at_position ? static_cast<std::int64_t>(position_) : no_offset;
    auto n = co_await transfer_out(buf, offset);
    if (n && at_position) position_ += *n;
    co_return n;
}

task<result<std::size_t>> file::read_at(std::span<std::byte> buf, std::uint64_t offset) {
    if (offset > static_cast<std::uint64_t>(largest_offset))
        co_return detail::invalid(path_.string(), past_largest);
    auto n = co_await transfer_in(buf, static_cast<std::int64_t>(offset));
    co_return n;
}

task<result<std::size_t>> file::write_at(std::span<const std::byte> buf, std::uint64_t offset) {
    if (offset > static_cast<std::uint64_t>(largest_offset))
        co_return detail::invalid(path_.string(), past_largest);
    auto n = co_await transfer_out(buf, static_cast<std::int64_t>(offset));
    co_return n;
}

task<result<std::uint64_t>> file::seek(seek_from to) {
    assert(fd_ && "seeking a closed or moved-from file");
    const auto out_of_range = [&] {
        return detail::invalid(path_.string(), "seek to a position before 0 or past INT64_MAX");
    };
    std::int64_t target = to.offset;
    int whence = SEEK_SET;
    switch (to.from) {
    case seek_from::origin::start:
        if (target < 0) co_return out_of_range();
        break;
    case seek_from::origin::current: {
        const auto here = static_cast<std::int64_t>(position_);
        if ((target > 0 && here > largest_offset - target) || here + target < 0)
            co_return out_of_range();
        target += here;
        break;
    }
    case seek_from::origin::end: whence = SEEK_END; break;
    }
    // The position is ours, so a regular file needs no syscall unless the end is involved.
    // lseek still runs for streams, to report `Illegal seek`.
    if (whence == SEEK_SET && positional_) {
        position_ = static_cast<std::uint64_t>(target);
        co_return position_;
    }
    struct seek_job {
        shared_fd fd;
        std::int64_t offset;
        int whence;
        std::int64_t operator()() const {
            const off_t at = ::lseek(fd->get(), offset, whence);
            return at < 0 ? -errno : at;
        }
    };
    seek_job job{fd_, target, whence};
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    if (*done == -EINVAL) co_return out_of_range();
    if (*done < 0) co_return detail::path_error(static_cast<int>(-*done), path_);
    position_ = static_cast<std::uint64_t>(*done);
    co_return position_;
}

task<result<void>> file::set_len(std::uint64_t size) {
    assert(fd_ && "resizing a closed or moved-from file");
    if (size > static_cast<std::uint64_t>(largest_offset))
        co_return detail::invalid(path_.string(), past_largest);
    const auto length = static_cast<off_t>(size);
    const auto truncate = [length](int fd) { return ::ftruncate(fd, length); };
    auto done = co_await on_fd(fd_, path_, truncate);
    co_return done;
}

task<result<void>> file::sync_all() {
    assert(fd_ && "syncing a closed or moved-from file");
    const auto sync = [](int fd) { return ::fsync(fd); };
    auto done = co_await on_fd(fd_, path_, sync);
    co_return done;
}

task<result<void>> file::sync_data() {
    assert(fd_ && "syncing a closed or moved-from file");
    const auto sync = [](int fd) { return ::fdatasync(fd); };
    auto done = co_await on_fd(fd_, path_, sync);
    co_return done;
}

task<result<file_metadata>> file::metadata() {
    assert(fd_ && "stat of a closed or moved-from file");
    struct stat_job {
        shared_fd fd;
        std::pair<struct stat, int> operator()() const {
            std::pair<struct stat, int> out{};
            if (::fstat(fd->get(), &out.first) < 0) out.second = errno;
            return out;
        }
    };
    stat_job job{fd_};
    auto done = co_await on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    if (done->second != 0) co_return detail::path_error(done->second, path_);
    co_return file_metadata::from_stat(done->first);
}

} // namespace eddy::fs
