// How the I/O adapters (buffered_reader, buffered_writer, line_reader) keep the stream they
// wrap: `held<T>` owns a `T`, `held<T&>` borrows one (and stays assignable, unlike a
// reference member). `buffered_reader<tcp_stream&>` borrows, `buffered_reader<owned_half>`
// owns.
#pragma once

#include <memory>
#include <utility>

namespace eddy::io::detail {

template <class T> class held {
  public:
    explicit held(T value) : value_(std::move(value)) {}
    T& get() noexcept { return value_; }
    const T& get() const noexcept { return value_; }
    T take() { return std::move(value_); }

  private:
    T value_;
};

template <class T> class held<T&> {
  public:
    explicit held(T& ref) noexcept : ptr_(std::addressof(ref)) {}
    T& get() const noexcept { return *ptr_; }
    T& take() const noexcept { return *ptr_; }

  private:
    T* ptr_;
};

} // namespace eddy::io::detail
