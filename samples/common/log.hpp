// A sample program's log on stderr, so that stdout carries only what the program is for
// ("listening on ADDRESS", or eddy-connect's data), at the level of --log-level: the
// program's own messages (spdlog's default logger) and eddy's (the logger "eddy", which the
// library takes when one is registered under that name before it first logs; its critical
// misuse messages are never turned off).
//
//     eddy::samples::log_to_stderr(level);   // after parsing --log-level, before the runtime
//     spdlog::warn("cannot connect to {}", upstream);
#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <utility>

namespace eddy::samples {

/// Makes spdlog's default logger and eddy's logger write to stderr, at `level`; eddy's
/// critical messages (a misuse, just before the program stops) are kept even with `off`.
inline void log_to_stderr(spdlog::level::level_enum level) {
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto program = std::make_shared<spdlog::logger>("main", sink);
    program->set_level(level);
    spdlog::set_default_logger(std::move(program));
    const auto library_level = std::min(level, spdlog::level::critical);
    if (auto made = spdlog::get("eddy")) { // eddy has logged already: keep its logger
        made->set_level(library_level);
        return;
    }
    auto library = std::make_shared<spdlog::logger>("eddy", sink);
    library->set_level(library_level);
    spdlog::register_logger(std::move(library));
}

} // namespace eddy::samples
