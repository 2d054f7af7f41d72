// Whole-file and directory operations, each on the runtime's blocking pool (Tokio's
// `tokio::fs` functions):
//
//     co_await eddy::fs::create_dir_all(dir / "logs");
//     co_await eddy::fs::write(dir / "logs" / "a.txt", "hello\n");
//     auto text = co_await eddy::fs::read_to_string(dir / "logs" / "a.txt");
//     auto n = co_await eddy::fs::copy(dir / "logs" / "a.txt", dir / "b.txt");  // bytes
//
// Errors are the system's, naming the path ("no such file or directory: /x"), or both paths
// for `copy` and `rename` ("...: /a -> /b"); a call that starts while the runtime is
// stopping gives `errc::operation_canceled`. Functions that move data do it in hops of at
// most `max_chunk` bytes, so a cancelled one stops after the hop under way.
// Cancel safety: the queries (`read`, `read_to_string`, `metadata`, `symlink_metadata`,
// `canonicalize`) are cancel-safe; a cancelled change (`write`, `copy`, `rename`, the
// creations and removals) may have happened, entirely or in part.
#pragma once

#include "eddy/fs/metadata.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eddy::fs {

/// The whole content of the file at `path`. Cancel-safe.
task<result<std::vector<std::byte>>> read(std::filesystem::path path);
/// The whole content of the file at `path`, as it is (no UTF-8 check). Cancel-safe.
task<result<std::string>> read_to_string(std::filesystem::path path);

/// Creates or truncates the file at `path` (mode 0666 before the umask) and writes `data`
/// to it. `data` is copied first, so it may go away if the call is cancelled. Not
/// cancel-safe: cancelled, the file may be created, cut, or written in part.
task<result<void>> write(std::filesystem::path path, std::span<const std::byte> data);
/// The same with the bytes of `text` (copied first too); not cancel-safe either.
task<result<void>> write(std::filesystem::path path, std::string_view text);

/// Copies the content and permission bits of the regular file `from` to `to` (created or
/// truncated): the number of bytes copied. `invalid_argument` if both name the same file or
/// `from` is not a regular file. Not cancel-safe: cancelled, `to` may hold part of the copy.
task<result<std::uint64_t>> copy(std::filesystem::path from, std::filesystem::path to);
/// Renames `from` to `to`, replacing `to` if it is a file or an empty directory (rename(2)).
/// Not cancel-safe: cancelled, the rename may have happened.
task<result<void>> rename(std::filesystem::path from, std::filesystem::path to);

/// Removes a file or a symlink (unlink); `Is a directory` for a directory. Not cancel-safe:
/// cancelled, it may be gone.
task<result<void>> remove_file(std::filesystem::path path);
/// Creates one directory (mode 0777 before the umask); `File exists` if there is one. Not
/// cancel-safe: cancelled, it may have been created.
task<result<void>> create_dir(std::filesystem::path path);
/// Creates a directory and the parents it needs; succeeds if it exists already. Not
/// cancel-safe: cancelled, some of them may have been created.
task<result<void>> create_dir_all(std::filesystem::path path);
/// Removes an empty directory; `Directory not empty` otherwise. Not cancel-safe: cancelled,
/// it may be gone.
task<result<void>> remove_dir(std::filesystem::path path);
/// Removes a directory and everything under it, without following symlinks (a symlink to a
/// directory: only the link goes). `Not a directory` for anything else. Not cancel-safe:
/// cancelled, part of the tree may be gone.
task<result<void>> remove_dir_all(std::filesystem::path path);

/// The metadata of what `path` names, following symlinks (stat). Cancel-safe.
task<result<file_metadata>> metadata(std::filesystem::path path);
/// The metadata of `path` itself, not following a final symlink (lstat). Cancel-safe.
task<result<file_metadata>> symlink_metadata(std::filesystem::path path);
/// The absolute path with every symlink, "." and ".." resolved (realpath); the file must
/// exist. Cancel-safe.
task<result<std::filesystem::path>> canonicalize(std::filesystem::path path);

} // namespace eddy::fs
