// Programmer errors that would corrupt a core if the program went on (a socket used from
// another core, two waiters in one direction): they stop the program in every build, with a
// message in the log saying what was done and what to do instead.
#pragma once

#include <cstddef>

namespace eddy::detail {

class scheduler;

/// Logs "what" at critical level, flushes, and aborts.
[[noreturn]] void misuse(const char* what) noexcept;

/// Stops the program if the calling thread runs a core other than `owner` (a thread that
/// runs no core, such as core 0's thread between two `block_on` calls, is let through).
/// `what` names the object: "a socket", "a join handle".
void check_owner(const scheduler& owner, const char* what) noexcept;

/// Stops the program: `what`, which belongs to core `owner` (of a runtime that is gone, if
/// `owner_gone`), was used from core `here`.
[[noreturn]] void used_on_other_core(const char* what, std::size_t owner, bool owner_gone,
                                     std::size_t here) noexcept;

} // namespace eddy::detail
