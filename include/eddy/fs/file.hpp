// `file`: an open file whose operations run on the runtime's blocking pool (as Tokio does on
// epoll), so a core never waits on the disk. It is an `io::async_reader` and an
// `io::async_writer`, so the `io::` algorithms take it:
//
//     auto f = co_await eddy::fs::file::open(path);               // read-only
//     if (!f) co_return f.error();        // "no such file or directory: /srv/x"
//     auto sent = co_await eddy::io::copy(*f, socket);
//
// Position: the file keeps its own position and reads and writes at it (pread/pwrite), so
// an operation that was cancelled does not move it and later ones stay where they expect.
// Files opened with `append` write with write(2) (every write goes to the end) and pipes and
// character devices read and write as streams.
//
// Cancel safety: an operation cancelled (timeout, abort, runtime stop) while its pool job
// runs lets that job finish on its own buffer and its own share of the fd; it never touches
// the caller's buffer afterwards, and the fd stays open until the last job ends. A cancelled
// read consumed nothing from a regular file (the position did not move); a cancelled write
// may have happened anyway (Tokio says the same). A file serves one operation at a time: two
// tasks using one `file` at once is not supported. Do not move a file while an operation
// on it is pending.
//
// Each call moves at most `max_chunk` bytes (a short read or write); `io::write_all` and
// `io::read_exact` loop. Reads and writes copy through one buffer the file keeps for reuse.
//
// Errors: the system's error naming the path, `errc::invalid_argument` (naming the path and
// why) for an offset or a size past INT64_MAX, and `errc::operation_canceled` for an
// operation that starts while the runtime is stopping.
#pragma once

#include "eddy/fs/metadata.hpp"
#include "eddy/fs/open_options.hpp"
#include "eddy/fs/seek_from.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/detail/completed.hpp"
#include "eddy/runtime/task.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

namespace eddy::fs {

/// The most one file operation (one pool job) reads or writes.
inline constexpr std::size_t max_chunk = 2 * 1024 * 1024;

} // namespace eddy::fs

namespace eddy::detail {
class unique_fd;
}

namespace eddy::fs {

/// An open file, read and written on the blocking pool; see the top.
class file {
  public:
    /// An empty file (moved-from state); only assigning to it or destroying it is valid.
    file() noexcept;
    /// Moves the file; the other is left empty. Not while an operation on it is pending.
    file(file&&) noexcept;
    /// Drops this file's share of its fd (as the destructor) and takes the other's file.
    file& operator=(file&&) noexcept;
    file(const file&) = delete;
    file& operator=(const file&) = delete;
    /// Drops the file's share of the fd: closed now, or by the last pool job still using it
    /// when that ends. close(2) runs where the last share goes (as in Tokio); it does not
    /// wait for the disk on local filesystems. Call `sync_all` first to know data is safe.
    ~file();

    /// Opens `path` as `options` say (read-only by default). Errors name the path:
    /// `invalid_argument` for options that cannot work, else the system's error.
    /// Cancel-safe: cancelled, a file the pool opened is closed again (one `create` may
    /// have created it).
    static task<result<file>> open(std::filesystem::path path,
                                   open_options options = {.read = true});
    /// Opens `path` for writing, creating it or cutting it to length 0. Errors and cancel
    /// safety as `open`.
    static task<result<file>> create(std::filesystem::path path);

    /// Reads up to `min(buf.size(), max_chunk)` bytes at the position and moves the position
    /// past them: the count, 0 at the end of the file, or the error (naming the path).
    /// Cancel-safe (see the top): cancelled, `buf` is untouched and the position unmoved.
    task<result<std::size_t>> read(std::span<std::byte> buf);
    /// Writes up to `min(buf.size(), max_chunk)` bytes at the position (at the end with
    /// `append`) and moves the position past them: the count or the error. The bytes are
    /// copied before the write first suspends, so `buf` may go away once it is cancelled.
    /// Not cancel-safe: cancelled, the write may still have happened.
    task<result<std::size_t>> write(std::span<const std::byte> buf);
    /// Does nothing and succeeds: a file has no peer to tell, and every write has reached the
    /// kernel when it completes, so there is nothing buffered to flush. It does not sync to
    /// the disk (`sync_all`) nor close the file; later writes still work.
    eddy::detail::completed<result<void>> shutdown() noexcept {
        return eddy::detail::completed<result<void>>(ok());
    }

    /// Reads up to `min(buf.size(), max_chunk)` bytes at `offset`, leaving the position
    /// alone: the count, 0 past the end, or the error. Cancel-safe, as `read`.
    task<result<std::size_t>> read_at(std::span<std::byte> buf, std::uint64_t offset);
    /// Writes up to `min(buf.size(), max_chunk)` bytes at `offset`, leaving the position
    /// alone: the count or the error. With `append`, Linux writes at the end whatever the
    /// offset (see pwrite(2)). Not cancel-safe, as `write`.
    task<result<std::size_t>> write_at(std::span<const std::byte> buf, std::uint64_t offset);

    /// Moves the position: the new position, or `invalid_argument` for a position before 0
    /// or past INT64_MAX (the position is then unchanged), or the system's error (`Illegal
    /// seek` on a pipe). On a regular file, seeking from the start or the current position
    /// needs no trip to the pool. Cancel-safe: cancelled, the position is unchanged.
    task<result<std::uint64_t>> seek(seek_from to);
    /// The position reads and writes use.
    std::uint64_t position() const noexcept { return position_; }

    /// Truncates or extends (with zeros) the file to `size` bytes; the position stays. Not
    /// cancel-safe: cancelled, the size may have changed.
    task<result<void>> set_len(std::uint64_t size);
    /// Flushes data and metadata to the disk (fsync). Cancelled, the sync may still happen.
    task<result<void>> sync_all();
    /// Flushes the data, and only the metadata needed to read it back, to the disk
    /// (fdatasync). Cancelled, the sync may still happen.
    task<result<void>> sync_data();
    /// The file's metadata (fstat): errors name the path. Cancel-safe.
    task<result<file_metadata>> metadata();

    /// The path the file was opened with.
    const std::filesystem::path& path() const noexcept { return path_; }
    /// The fd, for what eddy does not wrap. Do not close it; pool jobs may be using it.
    int native_handle() const noexcept;
    /// True unless the file is empty (default-made or moved from).
    bool is_open() const noexcept { return static_cast<bool>(fd_); }

  private:
    file(std::shared_ptr<const eddy::detail::unique_fd> fd, std::filesystem::path path, bool append,
         bool positional) noexcept;

    /// A buffer of at least `size` bytes (`capacity`) for one job: the spare, or a new one.
    std::unique_ptr<std::byte[]> take_buffer(std::size_t size, std::size_t& capacity);
    void keep_buffer(std::unique_ptr<std::byte[]> buffer, std::size_t capacity) noexcept;
    task<result<std::size_t>> transfer_in(std::span<std::byte> buf, std::int64_t offset);
    task<result<std::size_t>> transfer_out(std::span<const std::byte> buf, std::int64_t offset);

    std::shared_ptr<const eddy::detail::unique_fd> fd_;
    std::filesystem::path path_;
    std::uint64_t position_ = 0;
    bool append_ = false;
    bool positional_ = true; // false for pipes, sockets, character devices
    std::unique_ptr<std::byte[]> spare_;
    std::size_t spare_size_ = 0;
};

} // namespace eddy::fs
