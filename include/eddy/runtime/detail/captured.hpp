// A task's value or exception, held as data: so it can be carried to another core first
// (`submit_to`), or kept until the children of a `when_all` have all ended.
#pragma once

#include "eddy/runtime/task.hpp"

#include <exception>
#include <type_traits>
#include <utility>
#include <variant>

namespace eddy::detail {

/// `T`, or `std::monostate` for `void`: what a task gives, as a value that can be stored.
template <class T> using stored_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;

template <class T> class captured {
  public:
    using stored = stored_t<T>;
    std::variant<std::monostate, stored, std::exception_ptr> outcome;

    bool threw() const noexcept { return outcome.index() == 2; }
    /// Rethrows the exception, if the task ended with one.
    void rethrow() const {
        if (threw()) std::rethrow_exception(std::get<2>(outcome));
    }
    /// The value (nothing for void); rethrows the exception.
    T get() {
        rethrow();
        if constexpr (!std::is_void_v<T>) return std::move(std::get<1>(outcome));
    }
    /// The value, `std::monostate` for void; rethrows the exception.
    stored take() {
        rethrow();
        return std::move(std::get<1>(outcome));
    }
};

template <class T> task<captured<T>> capture(task<T> t) {
    captured<T> c;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(t);
            c.outcome.template emplace<1>();
        } else {
            c.outcome.template emplace<1>(co_await std::move(t));
        }
    } catch (...) {
        c.outcome.template emplace<2>(std::current_exception());
    }
    co_return c;
}

} // namespace eddy::detail
