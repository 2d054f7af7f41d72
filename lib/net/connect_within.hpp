// A connect given up after a time limit, private to lib/net: what tcp_stream's and
// unix_stream's `connect(addr, limit)` share. Unlike a bare `eddy::timeout`, its timeout
// error names the address, so a log line says which peer did not answer.
#pragma once

#include "eddy/error.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/time/timeout.hpp"

#include <chrono>
#include <string>
#include <utility>

namespace eddy::net::detail {

/// Awaits `connecting` for at most `limit`; on expiry `errc::timed_out` naming `address`
/// ("operation timed out: 127.0.0.1:9"). Expiry destroys the connecting task, and with it
/// the socket that was not yet connected.
template <class Stream>
task<result<Stream>> connect_within(task<result<Stream>> connecting,
                                    std::chrono::steady_clock::duration limit,
                                    std::string address) {
    auto connected = co_await eddy::timeout(limit, std::move(connecting));
    if (!connected && connected.error() == errc::timed_out)
        co_return error(errc::timed_out, std::move(address));
    co_return connected;
}

} // namespace eddy::net::detail
