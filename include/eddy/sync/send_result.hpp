// `send_result<T>`: what sending on a channel gives. Either the value went, or it did not and
// the caller gets it back with the reason, so nothing is lost:
//
//     auto sent = tx.try_send(std::move(line));
//     if (!sent) {
//         if (sent.error() == eddy::errc::channel_full) queue_later(sent.take_back());
//         // errc::channel_closed: the receiver is gone
//     }
#pragma once

#include "eddy/error.hpp"

#include <cassert>
#include <optional>
#include <utility>

namespace eddy::sync {

/// The outcome of a send: sent, or not sent with the reason and the value back.
template <class T> class [[nodiscard]] send_result {
  public:
    /// Sent.
    send_result() = default;
    /// Not sent, for `why` (`errc::channel_closed` or `errc::channel_full`); `value` comes back.
    send_result(errc why, T value) : unsent_(std::move(value)), why_(why) {}

    /// True when the value was sent.
    bool has_value() const noexcept { return !unsent_.has_value(); }
    /// `has_value()`: true when the value was sent.
    explicit operator bool() const noexcept { return has_value(); }

    /// Why it was not sent (only when it was not).
    eddy::error error() const {
        assert(!has_value() && "send_result::error() of a value that was sent");
        return why_;
    }
    /// The value that was not sent (only when it was not).
    T take_back() {
        assert(!has_value() && "send_result::take_back() of a value that was sent");
        return std::move(*unsent_);
    }

  private:
    std::optional<T> unsent_;
    errc why_ = errc::channel_closed;
};

} // namespace eddy::sync
