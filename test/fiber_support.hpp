// What the fiber tests share: a count of objects on fiber stacks (to see stacks unwound),
// blocking-style reads for fibers, Unix stream pairs, and whether this is an ASan build.
#pragma once

#include "test_support.hpp"

#include "eddy/fiber.hpp"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDDY_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EDDY_TEST_ASAN 1
#endif

#include <array>
#include <cstddef>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace eddy_test {

namespace fiber = eddy::fiber;
using eddy::net::unix_stream;

/// Counts its live instances: what a fiber's stack holds is destroyed when it is unwound.
struct on_stack {
    static inline int alive = 0;
    on_stack() noexcept { ++alive; }
    on_stack(const on_stack&) = delete;
    on_stack& operator=(const on_stack&) = delete;
    ~on_stack() { --alive; }
};

/// Reads one byte in a fiber, as blocking code would.
inline char read_byte(unix_stream& s) {
    std::array<std::byte, 1> b{};
    auto n = fiber::await(s.read(b));
    if (!n) throw std::system_error(n.error().code(), "read");
    if (*n == 0) throw std::runtime_error("end of stream");
    return static_cast<char>(b[0]);
}

/// A connected pair of Unix streams.
inline eddy::task<std::pair<unix_stream, unix_stream>> unix_pair() {
    co_return unix_stream::pair().value();
}

} // namespace eddy_test
