// `open_options`: how `file::open` opens a file (Rust's OpenOptions, as a plain struct).
//
//     auto log = co_await eddy::fs::file::open(p, {.append = true, .create = true});
//     auto fresh = co_await eddy::fs::file::open(p, {.write = true, .create_new = true});
//
// Every field defaults to off, so name what you want. A combination that cannot work (no
// access at all, `truncate` without `write` or with `append`, creating without write access)
// makes `open` fail with `errc::invalid_argument` naming the path and the reason.
#pragma once

#include <sys/types.h>

namespace eddy::fs {

/// How `file::open` opens a file: access, creation and truncation; see the top.
struct open_options {
    /// Open for reading. Default false.
    bool read = false;
    /// Open for writing at the file's position. Default false.
    bool write = false;
    /// Open for writing, every write going to the end of the file (O_APPEND); implies write
    /// access. Default false.
    bool append = false;
    /// Create the file if it does not exist (needs `write` or `append`). Default false.
    bool create = false;
    /// Create the file, failing with `File exists` if it does exist (O_CREAT | O_EXCL); then
    /// `create` and `truncate` do not matter. Needs `write` or `append`. Default false.
    bool create_new = false;
    /// Cut an existing file to length 0 (needs `write`, not `append`). Default false.
    bool truncate = false;
    /// Permission bits of a file this creates, before the umask. Default 0666.
    mode_t mode = 0666;
};

} // namespace eddy::fs
