// What eddy's headers log, through functions defined in lib/: a header that called spdlog
// itself would cost every file that includes it spdlog's headers (seconds of compile time).
// All are cold paths; none throws.
#pragma once

#include <cstddef>
#include <exception>

namespace eddy::detail {

/// "a detached task ended with an exception: WHAT", at error level.
void report_detached_task_failure(std::exception_ptr e) noexcept;
/// "a per-core task failed: WHAT", at error level.
void report_core_task_failure(const std::exception& e) noexcept;
/// "buffered_writer destroyed with N unflushed bytes...", at warning level.
void report_unflushed_bytes(std::size_t n) noexcept;

} // namespace eddy::detail
