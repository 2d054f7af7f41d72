// Sends eddy's log (the logger "eddy") to a stream of the test's while it lives, so a test
// can check what eddy logged.
#pragma once

#include "eddy/runtime/detail/log.hpp"

#include <spdlog/sinks/ostream_sink.h>

#include <memory>
#include <ostream>
#include <vector>

namespace eddy_test {

/// Sends eddy's log to `out` alone (not to the test's stderr) while it lives.
class captured_log {
  public:
    explicit captured_log(std::ostream& out) : usual_(eddy::detail::log().sinks()) {
        eddy::detail::log().sinks() = {std::make_shared<spdlog::sinks::ostream_sink_mt>(out)};
    }
    captured_log(const captured_log&) = delete;
    captured_log& operator=(const captured_log&) = delete;
    ~captured_log() { eddy::detail::log().sinks() = usual_; }

  private:
    std::vector<spdlog::sink_ptr> usual_;
};

} // namespace eddy_test
