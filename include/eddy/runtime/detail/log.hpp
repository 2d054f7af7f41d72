// The library's logger: spdlog logger "eddy", warn and above by default. A program may
// register its own logger under that name before it starts a runtime, or change its level
// with `eddy::detail::log().set_level(...)`.
#pragma once

#include <spdlog/logger.h>

namespace eddy::detail {

spdlog::logger& log();

} // namespace eddy::detail
