// Error codes and the error type every eddy operation reports.
//
// I/O never throws: operations return `eddy::result<T>` whose error is an `eddy::error`, a
// `std::error_code` plus, for bad user input, the input it is about:
//
//     auto addr = eddy::net::socket_address::parse("1.2.3.4:99999");
//     if (!addr) spdlog::error("{}", addr.error().message());
//     // -> "invalid address: '1.2.3.4:99999' (port out of range)"
//
// Compare with `err == eddy::errc::timed_out` or `err == std::errc::connection_refused`.
#pragma once

#include <string>
#include <system_error>
#include <utility>

namespace eddy {

/// eddy's own error conditions; system errors keep their `std::system_category()` code.
enum class errc {
    timed_out = 1,      ///< a `timeout()` expired before the operation finished
    operation_canceled, ///< the runtime stopped or the operation was aborted
    invalid_address,    ///< an address string does not parse or does not resolve
    would_block,        ///< a `try_*` call found nothing ready (a socket, an empty channel)
    invalid_argument,   ///< an argument outside what the call accepts
    not_same_stream,    ///< `reunite` of halves that come from two streams
    unexpected_eof,     ///< the stream ended before the bytes asked for had come
    too_large,          ///< more data than the caller's limit allows
    message_truncated,  ///< a datagram was larger than the buffer it was received into
    channel_closed,     ///< the other side of a channel is gone (or closed it)
    channel_full,       ///< a bounded channel has no room for a `try_send`
};

/// The category of `errc` codes (named "eddy"). Its codes compare equal to the matching
/// `std::errc` where there is one: `timed_out`, `operation_canceled`, `would_block`
/// (`operation_would_block`) and `invalid_argument`.
const std::error_category& eddy_category() noexcept;

/// The `std::error_code` for `e`; found by argument-dependent lookup, so `errc` values convert
/// to `std::error_code` implicitly.
inline std::error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), eddy_category()};
}

/// An error: a code, and what it concerns (a path, an address) when that helps the reader.
class error {
  public:
    /// No error: a default `std::error_code` (value 0) and no context.
    error() = default;
    /// The error `code`, with no context.
    error(std::error_code code) : code_(code) {}
    /// The error `e`, with no context.
    error(errc e) : code_(make_error_code(e)) {}
    /// The error `code` about `context` (a path, an address, the input that did not parse).
    error(std::error_code code, std::string context) : code_(code), context_(std::move(context)) {}
    /// The error `e` about `context`.
    error(errc e, std::string context) : code_(make_error_code(e)), context_(std::move(context)) {}

    /// The error for the `errno` value `err` (in `std::system_category()`).
    static error from_errno(int err) { return error(std::error_code(err, std::system_category())); }
    /// The error for the `errno` value `err`, about `context`.
    static error from_errno(int err, std::string context) {
        return error(std::error_code(err, std::system_category()), std::move(context));
    }

    /// The error code: an `errc` in `eddy_category()` or a system error.
    const std::error_code& code() const noexcept { return code_; }
    /// What the error concerns (a path, an address); empty when nothing was recorded.
    const std::string& context() const noexcept { return context_; }

    /// "what went wrong: what it concerns", e.g. "connection refused: 127.0.0.1:9" (the
    /// system's text starts lower-case, so it reads as the start of a log line's detail).
    std::string message() const;

    /// True when the code is exactly `c` (the context is ignored).
    friend bool operator==(const error& e, errc c) noexcept {
        return e.code_ == make_error_code(c);
    }
    /// True when the code is equivalent to the condition `c`: a system error with that
    /// value, or an `errc` that maps to it (`errc::timed_out == std::errc::timed_out`).
    friend bool operator==(const error& e, std::errc c) noexcept { return e.code_ == c; }
    /// True when the code is exactly `c` (the context is ignored).
    friend bool operator==(const error& e, const std::error_code& c) noexcept {
        return e.code_ == c;
    }

  private:
    std::error_code code_;
    std::string context_;
};

} // namespace eddy

/// \cond
template <> struct std::is_error_code_enum<eddy::errc> : std::true_type {};
/// \endcond
