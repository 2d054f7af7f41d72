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

template <class T> class result {
    static_assert(!std::is_reference_v<T>, "result<T&> is not supported");
    static_assert(!std::is_same_v<std::remove_cv_t<T>, eddy::error>, "result<error> is ambiguous");

  public:
    using value_type = T;
    using error_type = eddy::error;

    result() requires std::is_default_constructible_v<T> : has_value_(true) { new (&value_) T(); }
    result(const T& v) : has_value_(true) { new (&value_) T(v); }
    result(T&& v) : has_value_(true) { new (&value_) T(std::move(v)); }
    template <class U>
        requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
                 !std::is_same_v<std::remove_cvref_t<U>, result> &&
                 !std::is_convertible_v<U&&, eddy::error>)
    result(U&& v) : has_value_(true) { new (&value_) T(std::forward<U>(v)); }
    result(eddy::error e) : has_value_(false) { new (&error_) eddy::error(std::move(e)); }
    result(errc e) : result(eddy::error(e)) {}
    result(std::error_code e) : result(eddy::error(e)) {}

    result(const result& o) : has_value_(o.has_value_) {
        if (has_value_)
            new (&value_) T(o.value_);
        else
            new (&error_) eddy::error(o.error_);
    }
    result(result&& o) noexcept(std::is_nothrow_move_constructible_v<T>)
        : has_value_(o.has_value_) {
        if (has_value_)
            new (&value_) T(std::move(o.value_));
        else
            new (&error_) eddy::error(std::move(o.error_));
    }
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
    ~result() { destroy(); }

    bool has_value() const noexcept { return has_value_; }
    explicit operator bool() const noexcept { return has_value_; }

    T& operator*() & noexcept { return assert(has_value_), value_; }
    const T& operator*() const& noexcept { return assert(has_value_), value_; }
    T&& operator*() && noexcept { return assert(has_value_), std::move(value_); }
    T* operator->() noexcept { return assert(has_value_), &value_; }
    const T* operator->() const noexcept { return assert(has_value_), &value_; }

    /// The value; throws `std::system_error` (with the error's message) when there is none.
    T& value() & { return check(), value_; }
    const T& value() const& { return check(), value_; }
    T&& value() && { return check(), std::move(value_); }

    /// The error; only valid when `!has_value()`.
    const eddy::error& error() const& noexcept { return assert(!has_value_), error_; }
    eddy::error&& error() && noexcept { return assert(!has_value_), std::move(error_); }

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
    using value_type = void;

    result() = default;
    result(eddy::error e) : error_(std::move(e)), has_value_(false) {}
    result(errc e) : result(eddy::error(e)) {}
    result(std::error_code e) : result(eddy::error(e)) {}

    bool has_value() const noexcept { return has_value_; }
    explicit operator bool() const noexcept { return has_value_; }
    void operator*() const noexcept {}

    /// Throws `std::system_error` when this holds an error.
    void value() const {
        if (!has_value_) throw std::system_error(error_.code(), error_.context());
    }
    const eddy::error& error() const& noexcept { return assert(!has_value_), error_; }
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
