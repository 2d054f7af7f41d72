// eddy-echo --fibers: each connection is served by a fiber, in blocking style: a plain loop
// that reads and writes through `fiber::await`, on the fiber's own stack.
#pragma once

#include "eddy/eddy.hpp"

#include <array>
#include <cstddef>
#include <span>
#include <utility>

namespace eddy::samples::echo {

/// True when this build of eddy has fibers (`--fibers` is refused otherwise).
inline constexpr bool fibers_built = EDDY_HAS_FIBERS;

#if EDDY_HAS_FIBERS
/// Echoes until the client's end of stream or an error, as blocking code would. (The README's
/// fibers section quotes it: test/readme_test.cpp checks that it does.)
// readme-fiber-quote-begin
template <class Stream> void echo_blocking(Stream& s) {
    std::array<std::byte, 16 * 1024> buf; // on the fiber's stack (64 KiB)
    for (;;) {
        auto n = eddy::fiber::await(s.read(buf));
        if (!n || *n == 0) return;
        if (!eddy::fiber::await(eddy::io::write_all(s, std::span(buf).first(*n)))) return;
    }
}
// readme-fiber-quote-end
#endif

/// Serves `s` on this core: in a fiber with `fibers`, else as the coroutine `serve(s)`.
template <class Stream>
void serve_connection(Stream s, bool fibers, eddy::task<> (*serve)(Stream)) {
#if EDDY_HAS_FIBERS
    if (fibers) {
        eddy::fiber::spawn([s = std::move(s)]() mutable { echo_blocking(s); }).detach();
        return;
    }
#endif
    (void)fibers;
    eddy::spawn(serve(std::move(s))).detach();
}

} // namespace eddy::samples::echo
