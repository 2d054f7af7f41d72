// `completed<T>`: an awaitable whose value is there from the start, for operations that
// never wait (a socket's shutdown) but are awaited like the ones that do.
#pragma once

#include <coroutine>
#include <utility>

namespace eddy::detail {

template <class T> class completed {
  public:
    explicit completed(T v) : value_(std::move(v)) {}
    bool await_ready() const noexcept { return true; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    T await_resume() { return std::move(value_); }
    bool cancel() const noexcept { return false; }

  private:
    T value_;
};

} // namespace eddy::detail
