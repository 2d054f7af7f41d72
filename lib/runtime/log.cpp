#include "eddy/runtime/detail/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace eddy::detail {

spdlog::logger& log() {
    static const std::shared_ptr<spdlog::logger> logger = [] {
        if (auto existing = spdlog::get("eddy")) return existing;
        auto made = spdlog::stderr_color_mt("eddy");
        made->set_level(spdlog::level::warn);
        return made;
    }();
    return *logger;
}

} // namespace eddy::detail
