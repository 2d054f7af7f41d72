// `result<T>`: a value or an `eddy::error`, shaped like C++23's `std::expected`.
//
//     eddy::result<std::size_t> n = co_await stream.read(buf);
//     if (!n) return n.error();        // propagate
//     if (*n == 0) break;              // end of stream
//
// `value()` throws `std::system_error` on an error; `*` and `->` assume a value.
#pragma once

#include "eddy/error.hpp"

#include <cassert>
#include <new>
#include <system_error>
#include <type_traits>
#include <utility>

namespace eddy {

/// A value of type `T`, or the `eddy::error` that kept it from being made.
///
/// Converts implicitly from a `T` (or anything a `T` can be made from) and from an
/// `eddy::error`, an `errc` or a `std::error_code`, so a function returning `result<T>` can
/// `return value;` or `return errc::timed_out;`. Copyable and movable when `T` is.
template <class T> class result {
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported");
    static_assert(!std::is_same_v<std::remove_cv_t<T>, eddy::error>, "result<error> is ambiguous");

  public:
    using value_type = T;           ///< The type of the value held on success.
    using error_type = eddy::error; ///< The type of the error held on failure.

    /// A value-initialised `T`.
    result() requires std::is_default_constructible_v<T> : has_value_(true) { new (&value_) T(); }
    /// Holds a copy of `v`.
    result(const T& v) : has_value_(true) { new (&value_) T(v); }
    /// Holds `v`, moved in.
    result(T&& v) : has_value_(true) { new (&value_) T(std::move(v)); }
    /// Holds a `T` made from `v` (e.g. a `std::string` from a string literal).
    template <class U>
        requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
                 !std::is_same_v<std::remove_cvref_t<U>, result> &&
                 !std::is_convertible_v<U&&, eddy::error>)
    result(U&& v) : has_value_(true) { new (&value_) T(std::forward<U>(v)); }
    /// Holds the error `e`.
    result(eddy::error e) : has_value_(false) { new (&error_) eddy::error(std::move(e)); }
    /// Holds the error `e`, with no context.
    result(errc e) : result(eddy::error(e)) {}
    /// Holds the error `e`, with no context.
    result(std::error_code e) : result(eddy::error(e)) {}

    /// Copies the value or the error of `o`.
    result(const result& o) : has_value_(o.has_value_) {
        if (has_value_)
            new (&value_) T(o.value_);
        else
            new (&error_) eddy::error(o.error_);
    }
    /// Moves the value or the error out of `o`; `o` keeps a moved-from one.
    result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : has_value_(o.has_value_) {
        if (has_value_)
            new (&value_) T(std::move(o.value_));
        else
            new (&error_) eddy::error(std::move(o.error_));
    }
    /// Replaces what this holds with a copy of what `o` holds.
    result& operator=(const result& o) {
        if (this != &o) {
            destroy();
            has_value_ = o.has_value_;
            if (has_value_)
                new (&value_) T(o.value_);
            else
                new (&error_) eddy::error(o.error_);
        }
        return *this;
    }
    /// Replaces what this holds with what `o` holds, moved out.
    result& operator=(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>) {
        if (this != &o) {
            destroy();
            has_value_ = o.has_value_;
            if (has_value_)
                new (&value_) T(std::move(o.value_));
            else
                new (&error_) eddy::error(std::move(o.error_));
        }
        return *this;
    }
    /// Destroys the value or the error.
    ~result() { destroy(); }

    /// True when this holds a value, false when it holds an error.
    bool has_value() const noexcept { return has_value_; }
    /// `has_value()`.
    explicit operator bool() const noexcept { return has_value_; }

    /// The value, unchecked: holding an error is a programmer error (asserted in debug).
    T& operator*() & noexcept { return assert(has_value_), value_; }
    /// The value, unchecked (see above).
    const T& operator*() const& noexcept { return assert(has_value_), value_; }
    /// The value, moved out, unchecked (see above).
    T&& operator*() && noexcept { return assert(has_value_), std::move(value_); }
    /// Member access to the value, unchecked (see `operator*`).
    T* operator->() noexcept { return assert(has_value_), &value_; }
    /// Member access to the value, unchecked (see `operator*`).
    const T* operator->() const noexcept { return assert(has_value_), &value_; }

    /// The value; throws `std::system_error` (with the error's message) when there is none.
    T& value() & { return check(), value_; }
    /// The value; throws `std::system_error` when there is none.
    const T& value() const& { return check(), value_; }
    /// The value, moved out; throws `std::system_error` when there is none.
    T&& value() && { return check(), std::move(value_); }

    /// The error; only valid when `!has_value()`.
    const eddy::error& error() const& noexcept { return assert(!has_value_), error_; }
    /// The error, moved out; only valid when `!has_value()`.
    eddy::error&& error() && noexcept { return assert(!has_value_), std::move(error_); }

    /// A copy of the value, or `fallback` converted to `T` when this holds an error.
    template <class U> T value_or(U&& fallback) const& {
        return has_value_ ? value_ : static_cast<T>(std::forward<U>(fallback));
    }

  private:
    void check() const {
        if (!has_value_) throw std::system_error(error_.code(), error_.context());
    }
    void destroy() noexcept {
        if (has_value_)
            value_.~T();
        else
            error_.~error_type();
    }

    union {
        T value_;
        eddy::error error_;
    };
    bool has_value_;
};

/// `result<void>`: success, or an error.
template <> class result<void> {
  public:
    using value_type = void; ///< There is no value, only success.

    /// Success (see also `eddy::ok()`).
    result() = default;
    /// Holds the error `e`.
    result(eddy::error e) : error_(std::move(e)), has_value_(false) {}
    /// Holds the error `e`, with no context.
    result(errc e) : result(eddy::error(e)) {}
    /// Holds the error `e`, with no context.
    result(std::error_code e) : result(eddy::error(e)) {}

    /// True on success, false when this holds an error.
    bool has_value() const noexcept { return has_value_; }
    /// `has_value()`.
    explicit operator bool() const noexcept { return has_value_; }
    /// Does nothing; there so generic code can write `*r` for any `result`.
    void operator*() const noexcept {}

    /// Throws `std::system_error` when this holds an error.
    void value() const {
        if (!has_value_) throw std::system_error(error_.code(), error_.context());
    }
    /// The error; only valid when `!has_value()`.
    const eddy::error& error() const& noexcept { return assert(!has_value_), error_; }
    /// The error, moved out; only valid when `!has_value()`.
    eddy::error&& error() && noexcept { return assert(!has_value_), std::move(error_); }

  private:
    eddy::error error_;
    bool has_value_ = true;
};

/// Shorthand for a successful `result<void>`.
inline result<void> ok() {
    return {};
}

} // namespace eddy
