// What the sample binaries share: CLI11 parsing that reports a bad argument as one line on
// stderr, and the --log-level option.
#pragma once

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <string>

namespace eddy::samples {

/// Adds `--log-level LEVEL` (trace, debug, info, warn, error, critical, off; default warn).
inline void add_log_level(CLI::App& app, spdlog::level::level_enum& level) {
    static const std::map<std::string, spdlog::level::level_enum> levels{
        {"trace", spdlog::level::trace}, {"debug", spdlog::level::debug},
        {"info", spdlog::level::info},   {"warn", spdlog::level::warn},
        {"error", spdlog::level::err},   {"critical", spdlog::level::critical},
        {"off", spdlog::level::off}};
    app.add_option("--log-level", level,
                   "log level: trace, debug, info, warn, error, critical, off")
        ->transform(CLI::CheckedTransformer(levels, CLI::ignore_case))
        ->default_str("warn");
}

/// Parses; on a bad argument prints "NAME: what is wrong" on stderr and gives the exit
/// code (2) to return, on --help prints the help and gives 0; otherwise gives -1.
inline int parse_or_exit_code(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return -1;
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "%s: %s (see --help)\n", app.get_name().c_str(), e.what());
        return 2;
    }
}

/// Reports a usage error found after parsing, in the same form; gives the exit code (2).
inline int usage_error(const CLI::App& app, const std::string& what) {
    std::fprintf(stderr, "%s: %s (see --help)\n", app.get_name().c_str(), what.c_str());
    return 2;
}

} // namespace eddy::samples
