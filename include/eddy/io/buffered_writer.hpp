// `buffered_writer<W>`: a write buffer in front of a writer, so many small writes become
// few large ones (Tokio's BufWriter).
//
//     eddy::io::buffered_writer out(stream);             // borrows: buffered_writer<tcp_stream&>
//     co_await eddy::io::write_all(out, header);         // lands in the buffer
//     co_await eddy::io::write_all(out, body);
//     if (auto ok = co_await out.flush(); !ok) co_return ok.error();
//
// `W` is a writer type (owned) or an lvalue reference to one (borrowed). A buffered_writer
// is itself an `async_writer`. Use it from one task at a time, on the writer's core.
//
// Flush before dropping it: C++ has no async destructor, so bytes still buffered when a
// buffered_writer is destroyed are lost; the destructor logs a warning (logger "eddy")
// saying how many.
#pragma once

#include "eddy/io/buffered_reader.hpp"
#include "eddy/io/concepts.hpp"
#include "eddy/io/detail/held.hpp"
#include "eddy/io/detail/inner_operation.hpp"
#include "eddy/runtime/detail/report.hpp"
#include "eddy/runtime/task.hpp"

#include <algorithm>
#include <cstring>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

namespace eddy::io {

// Checked inside rather than with `requires` on the template: a constrained class template's
// implicit deduction guide would win over the borrowing guides below with clang.
/// A write buffer in front of the writer `W` (owned, or borrowed when `W` is a reference),
/// itself an `async_writer`; see the top of this header. Move-only. Flush before dropping it.
template <class W> class buffered_writer {
    using inner_type = std::remove_reference_t<W>;
    static_assert(async_writer<inner_type>, "buffered_writer needs an async_writer");
    using inner_write = decltype(std::declval<inner_type&>().write(std::span<const std::byte>{}));

  public:
    class write_operation;

    /// Wraps `inner` with a buffer of `capacity` bytes (at least 1), allocated now.
    explicit buffered_writer(W inner, std::size_t capacity = default_buffer_capacity)
        : inner_(std::forward<W>(inner)), capacity_(std::max<std::size_t>(capacity, 1)),
          storage_(std::make_unique_for_overwrite<std::byte[]>(capacity_)) {}

    /// Moves the writer with its buffered bytes; `o` is left without a buffer, to be
    /// destroyed or assigned to. Not while an operation on `o` is pending.
    buffered_writer(buffered_writer&& o) noexcept
        : inner_(std::move(o.inner_)), capacity_(o.capacity_), storage_(std::move(o.storage_)),
          head_(std::exchange(o.head_, 0)), tail_(std::exchange(o.tail_, 0)) {}
    /// Takes `o`'s writer and buffered bytes. What this one still had buffered is dropped,
    /// with the destructor's warning.
    buffered_writer& operator=(buffered_writer&& o) noexcept {
        if (this != &o) {
            warn_if_unflushed();
            inner_ = std::move(o.inner_);
            capacity_ = o.capacity_;
            storage_ = std::move(o.storage_);
            head_ = std::exchange(o.head_, 0);
            tail_ = std::exchange(o.tail_, 0);
        }
        return *this;
    }
    /// Drops what is still buffered, with a warning in the log if that is anything.
    ~buffered_writer() { warn_if_unflushed(); }

    /// Takes `buf` into the buffer and gives `buf.size()`. If it does not fit, the buffer
    /// is written out first. A `buf` of at least the capacity then goes straight to the
    /// inner writer, which may take only part of it (the count says how much). Gives the
    /// inner writer's error if writing out fails. Cancel-safe: cancelled, none of `buf` was
    /// taken, and whatever part of the buffer went out is accounted for. (A write going
    /// straight through is as cancel-safe as the inner writer's own.)
    write_operation write(std::span<const std::byte> buf) noexcept {
        return write_operation(*this, buf);
    }

    /// Writes out everything buffered (then flushes the inner writer, if it has `flush()`).
    /// Gives the inner writer's error, or `std::errc::io_error` if it accepted 0 bytes.
    /// Cancel-safe in that nothing is lost or written twice: call it again to go on.
    task<result<void>> flush() {
        auto drained = co_await write_out();
        if (!drained) co_return drained;
        if constexpr (requires(inner_type & w) { w.flush(); }) {
            auto inner_flushed = co_await get_ref().flush();
            co_return inner_flushed;
        } else {
            co_return ok();
        }
    }

    /// Flushes, then shuts down the inner writer (its reader sees end of stream). Gives the
    /// first error. Cancel-safe as `flush()` is, until the inner shutdown starts.
    task<result<void>> shutdown() {
        auto flushed = co_await flush();
        if (!flushed) co_return flushed;
        auto closed = co_await get_ref().shutdown();
        co_return closed;
    }

    /// What is buffered and not yet written out.
    std::span<const std::byte> buffer() const noexcept {
        return {storage_.get() + head_, tail_ - head_};
    }
    /// The buffer's size in bytes.
    std::size_t capacity() const noexcept { return capacity_; }

    /// The inner writer. Writing to it directly goes ahead of what is buffered.
    inner_type& get_ref() noexcept { return inner_.get(); }
    /// The inner writer.
    const inner_type& get_ref() const noexcept { return inner_.get(); }
    /// The inner writer (moved out, or the reference). Buffered bytes are dropped without a
    /// warning: `flush()` first.
    W into_inner() && {
        head_ = tail_ = 0;
        return inner_.take();
    }

    /// Awaits `write(buf)`: completes at once when `buf` fits in the buffer, otherwise runs
    /// the write-out in a task, which `cancel` withdraws (as a `timeout` does).
    class write_operation {
      public:
        /// What `write(buf)` makes.
        write_operation(buffered_writer& w, std::span<const std::byte> buf) noexcept
            : writer_(&w), buf_(buf) {}
        /// Moves it; only before it is awaited (a `timeout` takes it by value).
        write_operation(write_operation&&) noexcept = default;
        write_operation& operator=(write_operation&&) = delete;

        /// True at once when `buf` fits in the buffer (it is copied now); otherwise starts
        /// the write-out.
        bool await_ready() {
            if (buf_.size() < writer_->capacity_ &&
                writer_->tail_ + buf_.size() <= writer_->capacity_) {
                writer_->append(buf_);
                return true;
            }
            return slow_.start(writer_->write_through(buf_));
        }
        /// Waits for the write-out.
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
            return slow_.suspend(h);
        }
        /// What `write` gives: the count taken, or the inner writer's error.
        result<std::size_t> await_resume() {
            if (!slow_.started()) return buf_.size();
            return slow_.resume();
        }
        /// Withdraws the waiting write-out (one attempt); false when it cannot be now.
        bool cancel() noexcept { return slow_.cancel(); }
        /// Passes the cancellation `r` on to the write-out; true when it was withdrawn.
        bool cancel(eddy::detail::cancel_request& r) noexcept { return slow_.cancel(r); }

      private:
        buffered_writer* writer_;
        std::span<const std::byte> buf_;
        detail::inner_operation<task<result<std::size_t>>> slow_;
    };

  private:
    /// One write of the buffered bytes to the inner writer, accounted even if its coroutine
    /// is destroyed after the bytes went out.
    class write_out_step {
      public:
        explicit write_out_step(buffered_writer& w) noexcept : writer_(&w) {}
        write_out_step(const write_out_step&) = delete;
        write_out_step& operator=(const write_out_step&) = delete;
        ~write_out_step() {
            if (auto late = inner_.take_unclaimed()) writer_->drained(*late);
        }

        bool await_ready() { return inner_.start(writer_->get_ref().write(writer_->buffer())); }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
            return inner_.suspend(h);
        }
        result<std::size_t> await_resume() {
            auto n = inner_.resume();
            writer_->drained(n);
            return n;
        }
        bool cancel(eddy::detail::cancel_request& r) noexcept { return inner_.cancel(r); }

      private:
        buffered_writer* writer_;
        detail::inner_operation<inner_write> inner_;
    };

    task<result<void>> write_out() {
        while (head_ < tail_) {
            write_out_step step(*this);
            auto n = co_await step;
            if (!n) co_return std::move(n).error();
            if (*n == 0)
                co_return error(std::make_error_code(std::errc::io_error),
                                "buffered_writer: the inner writer accepted 0 bytes");
        }
        co_return ok();
    }

    /// The part of `write` that needs the inner writer.
    task<result<std::size_t>> write_through(std::span<const std::byte> buf) {
        auto drained = co_await write_out();
        if (!drained) co_return std::move(drained).error();
        if (buf.size() < capacity_) {
            append(buf);
            co_return buf.size();
        }
        auto direct = get_ref().write(buf);
        auto n = co_await direct;
        co_return n;
    }

    void append(std::span<const std::byte> buf) noexcept {
        if (buf.empty()) return; // also keeps memcpy away from a null source
        std::memcpy(storage_.get() + tail_, buf.data(), buf.size());
        tail_ += buf.size();
    }
    void drained(const result<std::size_t>& n) noexcept {
        if (!n) return;
        head_ += *n;
        if (head_ == tail_) head_ = tail_ = 0;
    }
    void warn_if_unflushed() noexcept {
        if (head_ == tail_) return;
        eddy::detail::report_unflushed_bytes(tail_ - head_);
    }

    detail::held<W> inner_;
    std::size_t capacity_;
    std::unique_ptr<std::byte[]> storage_;
    std::size_t head_ = 0; ///< first byte not yet written out
    std::size_t tail_ = 0; ///< one past the last buffered byte
};

/// An lvalue is borrowed: `buffered_writer out(stream)` is a `buffered_writer<tcp_stream&>`.
template <class W> buffered_writer(W&) -> buffered_writer<W&>;
/// An lvalue is borrowed, with a buffer of the size given.
template <class W> buffered_writer(W&, std::size_t) -> buffered_writer<W&>;

} // namespace eddy::io
