// `stdio_mode`: how a standard stream handle (`io::stdin()`, `stdout()`, `stderr()`) does
// its I/O, chosen by what fd 0, 1 or 2 is; `mode()` on the handle says which.
//
//     auto in = eddy::io::stdin();
//     if (in.mode() == eddy::io::stdio_mode::blocking_pool)
//         spdlog::info("stdin is a file: each read holds a pool thread while it runs");
#pragma once

namespace eddy::io {

/// How a standard stream handle does its I/O: see stdio.hpp.
enum class stdio_mode {
    readiness,     ///< a private non-blocking reopening of a pipe, FIFO or terminal
    socket,        ///< a copy of a socket fd, with MSG_DONTWAIT on each call
    blocking_pool, ///< plain blocking calls on the blocking pool (files, /dev/null, ...)
    unavailable,   ///< the fd is closed or unusable, or the handle was shut down
};

} // namespace eddy::io
