// `dir_entry`: one entry that `read_dir` found: its path, its name, and its kind, which the
// directory listing gave for free (d_type; looked up without following links when the
// filesystem does not give it).
//
//     if (entry.is_dir()) co_await walk(entry.path());
//     auto m = co_await entry.metadata();            // lstat, on the blocking pool
#pragma once

#include "eddy/fs/metadata.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

#include <filesystem>
#include <utility>

namespace eddy::fs {

/// One entry of a directory, as `dir_reader::next_entry` gives it.
class dir_entry {
  public:
    /// The entry at `path`, of kind `type` (what `read_dir` makes).
    dir_entry(std::filesystem::path path, std::filesystem::file_type type) noexcept
        : path_(std::move(path)), type_(type) {}

    /// The directory's path joined with the entry's name.
    const std::filesystem::path& path() const noexcept { return path_; }
    /// The entry's name alone.
    std::filesystem::path file_name() const { return path_.filename(); }

    /// The kind of the entry itself (a symlink is `symlink`, whatever it points to).
    std::filesystem::file_type type() const noexcept { return type_; }
    /// True for a regular file (not a symlink to one).
    bool is_file() const noexcept { return type_ == std::filesystem::file_type::regular; }
    /// True for a directory (not a symlink to one).
    bool is_dir() const noexcept { return type_ == std::filesystem::file_type::directory; }
    /// True for a symlink.
    bool is_symlink() const noexcept { return type_ == std::filesystem::file_type::symlink; }

    /// The entry's metadata, not following a symlink (lstat): errors name the path (the
    /// entry may be gone by now), `errc::operation_canceled` when the runtime is stopping.
    /// Cancel-safe. The entry must outlive the call.
    task<result<file_metadata>> metadata() const;

  private:
    std::filesystem::path path_;
    std::filesystem::file_type type_;
};

} // namespace eddy::fs
