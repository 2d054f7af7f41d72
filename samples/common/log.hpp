// A sample program's log on stderr, so that stdout carries only what the program is for
// ("listening on ADDRESS").
//
//     eddy::samples::log_to_stderr(level);   // after parsing --log-level
//     spdlog::warn("cannot connect to {}", upstream);
#pragma once

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <utility>

namespace eddy::samples {

/// Makes spdlog's default logger (spdlog::warn and friends) one on stderr, at `level`.
inline void log_to_stderr(spdlog::level::level_enum level) {
    auto logger = spdlog::stderr_color_mt("main");
    logger->set_level(level);
    spdlog::set_default_logger(std::move(logger));
}

} // namespace eddy::samples
