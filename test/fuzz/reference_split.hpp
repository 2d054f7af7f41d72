// What the fuzz target for the buffered readers expects, worked out the plain way: the input
// split at a delimiter, and the lines (and too-long lines) that `io::lines` should give.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace eddy_fuzz {

/// The pieces `read_line` / `read_until` give: each ends just after `delim`, but the last,
/// which ends where the text does. No empty piece.
inline std::vector<std::string> split_after(std::string_view text, char delim) {
    std::vector<std::string> pieces;
    while (!text.empty()) {
        const auto end = text.find(delim);
        const auto length = end == std::string_view::npos ? text.size() : end + 1;
        pieces.emplace_back(text.substr(0, length));
        text.remove_prefix(length);
    }
    return pieces;
}

/// One result of `line_reader::next()` before the end: a line, or `errc::too_large`.
struct line_event {
    bool too_long = false;
    std::string text; ///< the line; empty when too long

    friend bool operator==(const line_event&, const line_event&) = default;
};

/// The lines of `text` as the header of `io/lines.hpp` describes them: split at "\n", a "\r"
/// just before it dropped, a last piece without "\n" kept as it is, and any line longer than
/// `max_len` given as too long.
inline std::vector<line_event> expected_lines(std::string_view text, std::size_t max_len) {
    std::vector<line_event> events;
    for (std::string& piece : split_after(text, '\n')) {
        if (piece.back() == '\n') {
            piece.pop_back();
            if (!piece.empty() && piece.back() == '\r') piece.pop_back();
        }
        if (piece.size() > max_len)
            events.push_back({.too_long = true, .text = {}});
        else
            events.push_back({.too_long = false, .text = std::move(piece)});
    }
    return events;
}

} // namespace eddy_fuzz
