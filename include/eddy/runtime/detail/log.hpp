// The library's logger: spdlog logger "eddy", on stderr, warn and above by default. A program
// chooses its sink and level by registering its own logger under that name before eddy first
// logs (docs/guide/10-logging.md); once made, `spdlog::get("eddy")` gives it too.
#pragma once

#include <spdlog/logger.h>

namespace eddy::detail {

spdlog::logger& log();

} // namespace eddy::detail
