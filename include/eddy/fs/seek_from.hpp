// `seek_from`: where `file::seek` moves the position to, as Rust's SeekFrom.
//
//     co_await f.seek(eddy::fs::seek_from::start(128));  // absolute
//     co_await f.seek(eddy::fs::seek_from::current(-4)); // relative to the position
//     co_await f.seek(eddy::fs::seek_from::end(0));      // the end of the file
#pragma once

#include <cstdint>
#include <limits>

namespace eddy::fs {

/// A position for `file::seek`: an offset from the start, the current position or the end.
struct seek_from {
    /// What the offset counts from.
    enum class origin {
        start,   ///< the start of the file
        current, ///< the file's position
        end      ///< the end of the file
    };

    /// `offset` bytes from the start. Past INT64_MAX (what the kernel takes), `seek` fails
    /// with `errc::invalid_argument`.
    static seek_from start(std::uint64_t offset) noexcept {
        constexpr auto largest =
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        return {origin::start, offset > largest ? -1 : static_cast<std::int64_t>(offset)};
    }
    /// `offset` bytes from the position (negative: back). A result before 0 or past
    /// INT64_MAX makes `seek` fail with `errc::invalid_argument`.
    static seek_from current(std::int64_t offset) noexcept { return {origin::current, offset}; }
    /// `offset` bytes from the end of the file (negative: back; positive: past the end, where
    /// a later write leaves a hole). A result before 0 makes `seek` fail with
    /// `errc::invalid_argument`.
    static seek_from end(std::int64_t offset) noexcept { return {origin::end, offset}; }

    origin from; ///< What `offset` counts from.
    /// Bytes from `from`; negative moves back (never for `start`, where -1 means too far).
    std::int64_t offset;
};

} // namespace eddy::fs
