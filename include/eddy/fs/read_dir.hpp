// `read_dir(path)`: the entries of a directory, as an async sequence. The listing runs on the
// blocking pool, a batch of entries per hop, and "." and ".." are left out.
//
//     auto dir = co_await eddy::fs::read_dir(p);        // result<dir_reader>
//     if (!dir) co_return dir.error();                   // "no such file or directory: p"
//     while (true) {
//         auto entry = co_await dir->next_entry();       // result<std::optional<dir_entry>>
//         if (!entry) co_return entry.error();
//         if (!*entry) break;                            // no more entries
//         spdlog::info("{}", (*entry)->file_name().string());
//     }
//
// Entries come in the order the filesystem lists them; entries added or removed while
// reading may or may not show up, as with readdir(3).
#pragma once

#include "eddy/fs/dir_entry.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

#include <cstddef>
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>

namespace eddy::fs {

/// Entries `read_dir` fetches per hop to the blocking pool.
inline constexpr std::size_t read_dir_batch = 64;

namespace detail {
class dir_stream;
}

/// An open directory being listed. Move-only; one task at a time.
class dir_reader {
  public:
    /// Lists the open directory `stream` (what `read_dir` makes; not for user code).
    explicit dir_reader(std::shared_ptr<detail::dir_stream> stream) noexcept;
    /// Moves the reader; the moved-from one may only be assigned to or destroyed.
    dir_reader(dir_reader&&) noexcept;
    /// Drops this reader's directory and takes the other's listing.
    dir_reader& operator=(dir_reader&&) noexcept;
    dir_reader(const dir_reader&) = delete;
    dir_reader& operator=(const dir_reader&) = delete;
    /// Closes the directory (once a pool job still reading it, if any, has ended).
    ~dir_reader();

    /// The next entry, `std::nullopt` after the last, or the error (naming the directory);
    /// `errc::operation_canceled` when the runtime is stopping. Cancel-safe: a batch the pool
    /// fetched for a cancelled call is kept for the next one, so no entry is lost.
    task<result<std::optional<dir_entry>>> next_entry();

    /// The directory being listed.
    const std::filesystem::path& path() const noexcept;

  private:
    std::shared_ptr<detail::dir_stream> stream_;
    std::deque<dir_entry> ready_; // fetched, not handed out yet; touched on the core only
    bool at_end_ = false;
};

/// Opens the directory `path` for listing: the reader, or the error naming the path (`Not a
/// directory`, `No such file or directory`, ...); `errc::operation_canceled` when the runtime
/// is stopping. Cancel-safe: cancelled, a directory the pool opened is closed again.
task<result<dir_reader>> read_dir(std::filesystem::path path);

} // namespace eddy::fs
