// `file_metadata`: what `stat` says about a file: its size, kind, permission bits and times.
//
//     auto m = co_await eddy::fs::metadata(p);         // result<file_metadata>
//     if (m && m->is_file()) spdlog::info("{} bytes", m->len());
//
// A plain value, taken at one moment: it does not follow later changes to the file. (The
// type is not called `metadata`: that is the name of the function that gives it, as `stat`
// is both in POSIX, and a function would hide a type of the same name.)
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <sys/stat.h>

namespace eddy::fs {

/// What `stat` says about a file, taken at one moment; see the top.
class file_metadata {
  public:
    using time_point = std::chrono::system_clock::time_point; ///< Wall-clock time, as stat's.

    /// Metadata of nothing: length 0, type `none`, no permissions, times at the epoch.
    file_metadata() = default;
    /// The metadata in `st`, as `stat`, `lstat` or `fstat` filled it.
    static file_metadata from_stat(const struct stat& st) noexcept;

    /// Size in bytes (for a symlink from `symlink_metadata`: the length of its target path).
    std::uint64_t len() const noexcept { return len_; }

    /// The kind of file (`symlink` only from metadata that does not follow links).
    std::filesystem::file_type type() const noexcept { return type_; }
    /// True for a regular file.
    bool is_file() const noexcept { return type_ == std::filesystem::file_type::regular; }
    /// True for a directory.
    bool is_dir() const noexcept { return type_ == std::filesystem::file_type::directory; }
    /// True only for metadata that does not follow links (`symlink_metadata`, `dir_entry`).
    bool is_symlink() const noexcept { return type_ == std::filesystem::file_type::symlink; }

    /// The permission bits, with set-user-ID, set-group-ID and sticky (`st_mode & 07777`).
    mode_t permissions() const noexcept { return permissions_; }

    /// Last modification of the content (st_mtim).
    time_point modified() const noexcept { return modified_; }
    /// Last access (st_atim); filesystems mounted `noatime`/`relatime` update it lazily.
    time_point accessed() const noexcept { return accessed_; }

  private:
    std::uint64_t len_ = 0;
    std::filesystem::file_type type_ = std::filesystem::file_type::none;
    mode_t permissions_ = 0;
    time_point modified_{};
    time_point accessed_{};
};

} // namespace eddy::fs
