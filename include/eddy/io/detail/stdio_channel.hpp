// The machinery behind `io::stdin()` / `stdout()` / `stderr()`: a private handle on fd 0, 1
// or 2 (how it is made: lib/io/stdio.cpp) and the awaiter of one read or write on it.
//
// The awaiter runs the syscall on the core's reactor when the handle is registered there
// (the same `fd_operation` sockets use), or as a job on the blocking pool otherwise. A pool
// job works on its own copy of the bytes and holds the fd, so a cancelled call never
// touches the caller's memory or a closed fd.
#pragma once

#include "eddy/detail/unique_fd.hpp"
#include "eddy/io/stdio_mode.hpp"
#include "eddy/net/detail/socket_handle.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/detail/io/fd_operation.hpp"
#include "eddy/runtime/task.hpp"

#include <coroutine>
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <sys/types.h>
#include <type_traits>

namespace eddy::io::detail {

/// An fd the blocking pool's jobs share; closed when the last of them is done.
using pooled_fd = eddy::detail::unique_fd;

/// The syscall of a reactor-mode read (`Write` false) or write.
template <bool Write> struct stdio_call {
    using buffer_type = std::conditional_t<Write, std::span<const std::byte>, std::span<std::byte>>;
    buffer_type buf;
    bool socket;

    /// read/write for a pipe or terminal, recv/send with MSG_DONTWAIT for a socket.
    ssize_t operator()(int fd) const noexcept;
    std::size_t size() const noexcept { return buf.size(); }
};
template <> ssize_t stdio_call<false>::operator()(int fd) const noexcept;
template <> ssize_t stdio_call<true>::operator()(int fd) const noexcept;

class stdio_channel {
  public:
    /// Makes the handle on `fd` (0, 1 or 2) for reading or writing, on the calling core.
    static stdio_channel open(int fd, bool write);

    stdio_mode mode() const noexcept { return mode_; }
    /// "stdin", "stdout" or "stderr": the context of every error.
    const char* name() const noexcept { return name_; }
    eddy::detail::fd_readiness& readiness() const noexcept { return handle_.readiness(); }
    const std::shared_ptr<const pooled_fd>& pooled() const noexcept { return pooled_; }
    /// Why the handle is unavailable.
    const error& failure() const noexcept { return failure_; }

    /// Closes the private handle; later calls fail naming the stream.
    void close() noexcept;

  private:
    stdio_mode mode_ = stdio_mode::unavailable;
    const char* name_ = "";
    net::detail::socket_handle handle_;
    std::shared_ptr<const pooled_fd> pooled_;
    error failure_;
};

/// One read or write of at most 64 KiB on the blocking pool.
task<result<std::size_t>> pooled_read(std::shared_ptr<const pooled_fd> fd,
                                      std::span<std::byte> out);
task<result<std::size_t>> pooled_write(std::shared_ptr<const pooled_fd> fd,
                                       std::span<const std::byte> in);

/// Awaits one read (`Write` false) or write on a standard stream.
template <bool Write> class stdio_operation {
    using call_type = stdio_call<Write>;
    using buffer_type = typename call_type::buffer_type;
    using pool_task = task<result<std::size_t>>;

  public:
    stdio_operation(stdio_channel& ch, buffer_type buf) noexcept
        : channel_(&ch), name_(ch.name()), buf_(buf) {}
    /// Only before it starts (a `timeout` takes it by value).
    stdio_operation(stdio_operation&& o) noexcept
        : channel_(o.channel_), name_(o.name_), buf_(o.buf_) {}
    stdio_operation& operator=(stdio_operation&&) = delete;

    bool await_ready() {
        switch (channel_->mode()) {
        case stdio_mode::readiness:
        case stdio_mode::socket: {
            const bool socket = channel_->mode() == stdio_mode::socket;
            direct_.emplace(channel_->readiness(), call_type{buf_, socket},
                            eddy::detail::io_direction{.write = Write,
                                                       // a tty read gives one line of several
                                                       .short_means_drained = false});
            return direct_->await_ready();
        }
        case stdio_mode::blocking_pool:
            if constexpr (Write)
                pooled_.emplace(pooled_write(channel_->pooled(), buf_));
            else
                pooled_.emplace(pooled_read(channel_->pooled(), buf_));
            pooled_awaiter_.emplace(*pooled_);
            return pooled_awaiter_->await_ready();
        case stdio_mode::unavailable: break;
        }
        failed_ = channel_->failure();
        return true;
    }

    std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
        if (direct_) {
            direct_->await_suspend(h);
            return std::noop_coroutine();
        }
        return pooled_awaiter_->await_suspend(h);
    }

    /// The count (0: end of stream), or the error with the stream's name as context.
    result<std::size_t> await_resume() {
        if (failed_) return *failed_;
        auto n = direct_ ? direct_->await_resume() : pooled_awaiter_->await_resume();
        if (n || !n.error().context().empty()) return n;
        return error(n.error().code(), name_);
    }

    bool cancel() noexcept {
        if (direct_) return direct_->cancel();
        return pooled_awaiter_ && pooled_awaiter_->cancel();
    }

  private:
    // Once started, the operation needs nothing from the channel: the handle it may be moved
    // with stays where it is (the fd_readiness is on the heap, the pool job holds the fd).
    stdio_channel* channel_;
    const char* name_;
    buffer_type buf_;
    std::optional<error> failed_;
    std::optional<eddy::detail::fd_operation<call_type>> direct_;
    std::optional<pool_task> pooled_;
    std::optional<typename pool_task::awaiter> pooled_awaiter_;
};

} // namespace eddy::io::detail
