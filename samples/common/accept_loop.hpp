// A server's accept loop, for any listener (TCP or Unix): every connection goes to a
// handler, until the runtime stops.
//
//     co_await eddy::samples::accept_loop(listener, [](eddy::net::tcp_stream s) {
//         eddy::spawn(serve(std::move(s))).detach();
//     });
#pragma once

#include "eddy/eddy.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace eddy::samples {

/// Accepts until the runtime stops, handing each connection to `take(stream)`. A failed
/// accept other than the stop is logged and ends the loop.
template <class Listener, class Take> eddy::task<> accept_loop(Listener& listener, Take take) {
    for (;;) {
        auto s = co_await listener.accept();
        if (!s) {
            if (s.error() != eddy::errc::operation_canceled)
                spdlog::error("accept: {}", s.error().message());
            co_return;
        }
        take(std::move(*s));
    }
}

} // namespace eddy::samples
