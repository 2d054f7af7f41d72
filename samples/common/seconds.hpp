// Durations given on the command line in seconds, fractions allowed: eddy-connect's
// --wait, eddy-proxy's --connect-timeout.
//
//     auto limit = eddy::samples::parse_seconds("0.5", 3600);   // 500 ms
//     if (!limit) return eddy::samples::usage_error(app, "--connect-timeout: ...");
#pragma once

#include "eddy/eddy.hpp"

#include <charconv>
#include <chrono>
#include <optional>
#include <string_view>
#include <system_error>

namespace eddy::samples {

/// `text` as a duration: a decimal number of seconds, more than 0 and at most `most`.
/// Nothing for anything else: not a number (or with more after it), 0, negatives, NaN and
/// infinities. The upper bound keeps the conversion to nanoseconds from overflowing.
inline std::optional<eddy::clock::duration> parse_seconds(std::string_view text, double most) {
    double seconds = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, seconds);
    if (ec != std::errc() || stop != end) return std::nullopt;
    if (!(seconds > 0 && seconds <= most)) return std::nullopt; // false for NaN too
    return std::chrono::duration_cast<eddy::clock::duration>(
        std::chrono::duration<double>(seconds));
}

} // namespace eddy::samples
