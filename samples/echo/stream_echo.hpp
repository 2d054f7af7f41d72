// Echo over a connected stream socket (TCP or Unix): what comes in goes straight back.
//
// A connection waits for readability without a buffer, reads into its core's buffer and
// writes the bytes back at once, so an idle connection holds no buffer at all.
#pragma once

#include "eddy/eddy.hpp"

#include <spdlog/spdlog.h>

#include <array>
#include <cstddef>
#include <span>
#include <vector>

namespace eddy::samples::echo {

inline constexpr std::size_t buffer_size = 16 * 1024;

// One read buffer per core, shared by every connection of that core: a connection uses it
// only between a read and the write of the same bytes, and never waits in between (what a
// write cannot take at once is copied out first).
inline std::span<std::byte> core_buffer() {
    thread_local std::array<std::byte, buffer_size> buffer;
    return buffer;
}

template <class Stream> eddy::task<> serve_stream(Stream s) {
    for (;;) {
        if (!co_await s.readable()) co_return;
        auto buf = core_buffer();
        auto n = s.try_read(buf);
        if (!n) {
            if (n.error() == eddy::errc::would_block) continue;
            spdlog::debug("read: {}", n.error().message());
            co_return;
        }
        if (*n == 0) co_return; // the client closed: so do we
        auto data = buf.first(*n);
        auto written = s.try_write(data);
        if (!written && written.error() != eddy::errc::would_block) co_return;
        const std::size_t done = written ? *written : 0;
        if (done < data.size()) {
            // The client reads slower than it writes: keep the rest, wait until it drains.
            std::vector<std::byte> rest(data.begin() + static_cast<std::ptrdiff_t>(done),
                                        data.end());
            if (!co_await eddy::io::write_all(s, rest)) co_return;
        }
    }
}

} // namespace eddy::samples::echo
