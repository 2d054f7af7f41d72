#include "eddy/runtime/detail/report.hpp"

#include "eddy/runtime/detail/log.hpp"

namespace eddy::detail {

// Logging must never throw out of these (a destructor, a noexcept task end).

void report_detached_task_failure(std::exception_ptr e) noexcept {
    try {
        try {
            std::rethrow_exception(e);
        } catch (const std::exception& ex) {
            log().error("a detached task ended with an exception: {}", ex.what());
        } catch (...) {
            log().error("a detached task ended with an exception");
        }
    } catch (...) {
    }
}

void report_core_task_failure(const std::exception& e) noexcept {
    try {
        log().error("a per-core task failed: {}", e.what());
    } catch (...) {
    }
}

void report_unflushed_bytes(std::size_t n) noexcept {
    try {
        log().warn("buffered_writer destroyed with {} unflushed bytes: they are lost (flush() or "
                   "shutdown() before dropping it)",
                   n);
    } catch (...) {
    }
}

} // namespace eddy::detail
