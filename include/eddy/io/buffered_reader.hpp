// `buffered_reader<R>`: a read buffer in front of a reader, for reading lines, reading up to
// a delimiter, or peeking at what came without consuming it (Tokio's BufReader).
//
//     eddy::io::buffered_reader in(stream);              // borrows: buffered_reader<tcp_stream&>
//     std::string line;
//     auto n = co_await in.read_line(line);              // result<std::size_t>: 0 at end of stream
//
// `R` is a reader type (owned: `buffered_reader<tcp_stream::owned_read_half>`) or an lvalue
// reference to one (borrowed; the reader must outlive the buffer). A buffered_reader is
// itself an `async_reader`. Use it from one task at a time, on the reader's core.
#pragma once

#include "eddy/io/concepts.hpp"
#include "eddy/io/detail/held.hpp"
#include "eddy/io/detail/inner_operation.hpp"
#include "eddy/runtime/task.hpp"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace eddy::io {

/// The buffer size of buffered readers and writers unless told otherwise.
inline constexpr std::size_t default_buffer_capacity = 8 * 1024;

// Checked inside rather than with `requires` on the template: a constrained class template's
// implicit deduction guide would win over the borrowing guides below with clang.
/// A read buffer in front of the reader `R` (owned, or borrowed when `R` is a reference),
/// itself an `async_reader`; see the top of this header. Move-only.
template <class R> class buffered_reader {
    using inner_type = std::remove_reference_t<R>;
    static_assert(async_reader<inner_type>, "buffered_reader needs an async_reader");
    using inner_read = decltype(std::declval<inner_type&>().read(std::span<std::byte>{}));

  public:
    class fill_operation;
    class read_operation;

    /// Wraps `inner` with a buffer of `capacity` bytes (at least 1), allocated now.
    explicit buffered_reader(R inner, std::size_t capacity = default_buffer_capacity)
        : inner_(std::forward<R>(inner)), capacity_(std::max<std::size_t>(capacity, 1)),
          storage_(std::make_unique_for_overwrite<std::byte[]>(capacity_)) {}

    /// Moves the reader with its buffered bytes; `o` is left without a buffer, to be
    /// destroyed or assigned to. Not while an operation on `o` is pending.
    buffered_reader(buffered_reader&& o) noexcept
        : inner_(std::move(o.inner_)), capacity_(o.capacity_), storage_(std::move(o.storage_)),
          pos_(std::exchange(o.pos_, 0)), end_(std::exchange(o.end_, 0)) {}
    /// Takes `o`'s reader and buffered bytes; what this one had buffered is dropped. `o` is
    /// left as the move constructor leaves it.
    buffered_reader& operator=(buffered_reader&& o) noexcept {
        if (this != &o) {
            inner_ = std::move(o.inner_);
            capacity_ = o.capacity_;
            storage_ = std::move(o.storage_);
            pos_ = std::exchange(o.pos_, 0);
            end_ = std::exchange(o.end_, 0);
        }
        return *this;
    }

    /// Reads up to `buf.size()` bytes: what is buffered first; with an empty buffer, a read
    /// of at least the capacity goes straight to the inner reader (no copy), a smaller one
    /// fills the buffer once. Gives the count, 0 at end of stream (or for an empty `buf`), or
    /// the inner reader's error. Cancel-safe: cancelled, it has read nothing (a fill that
    /// completed just before stays in the buffer; a read going straight through is as
    /// cancel-safe as the inner reader's).
    read_operation read(std::span<std::byte> buf) noexcept { return read_operation(*this, buf); }

    /// The buffered bytes, reading once from the inner reader if there are none; an empty
    /// span means end of stream. The bytes stay buffered until `consume`d. Gives the inner
    /// reader's error if it fails. Cancel-safe.
    fill_operation fill_buf() noexcept { return fill_operation(*this); }

    /// Marks the first `n` buffered bytes as read (`n` at most `buffer().size()`). Not
    /// awaitable: it only moves a position, as Tokio's `consume` does.
    void consume(std::size_t n) noexcept {
        assert(n <= end_ - pos_ && "consuming more than is buffered");
        pos_ += std::min(n, end_ - pos_);
    }

    /// Appends bytes to `out` up to and including the first `delim`, or up to end of stream.
    /// Gives the number appended (0: end of stream) or the inner reader's error. Not
    /// cancel-safe in the strict sense, but loses nothing: cancelled, or failed, the bytes
    /// read so far are in `out` (as in Tokio), and the rest is still to be read.
    task<result<std::size_t>> read_until(std::byte delim, std::vector<std::byte>& out) {
        std::size_t appended = 0;
        for (;;) {
            const auto found = co_await scan_for(static_cast<unsigned char>(delim));
            if (!found) co_return std::move(found).error();
            const std::span<const std::byte> piece = buffer().first(found->length);
            out.insert(out.end(), piece.begin(), piece.end());
            consume(piece.size());
            appended += piece.size();
            if (found->complete) co_return appended;
        }
    }

    /// Appends one line, with its "\n", to `out`; at end of stream, what is left without
    /// one. Gives the number of bytes appended (0: end of stream) or the inner reader's
    /// error. Bytes are copied as they are (no encoding check). Cancelled or failed, what was
    /// read so far is in `out`, as with `read_until`.
    task<result<std::size_t>> read_line(std::string& out) {
        std::size_t appended = 0;
        for (;;) {
            const auto found = co_await scan_for('\n');
            if (!found) co_return std::move(found).error();
            out.append(reinterpret_cast<const char*>(storage_.get() + pos_), found->length);
            consume(found->length);
            appended += found->length;
            if (found->complete) co_return appended;
        }
    }

    /// What is buffered and not yet consumed.
    std::span<const std::byte> buffer() const noexcept {
        return {storage_.get() + pos_, end_ - pos_};
    }
    /// The buffer's size in bytes.
    std::size_t capacity() const noexcept { return capacity_; }

    /// The inner reader. Reading from it directly skips what is buffered.
    inner_type& get_ref() noexcept { return inner_.get(); }
    /// The inner reader.
    const inner_type& get_ref() const noexcept { return inner_.get(); }
    /// The inner reader (moved out, or the reference). Buffered bytes are dropped: read
    /// `buffer()` first if they matter.
    R into_inner() && { return inner_.take(); }

    /// Awaits `fill_buf()`. Besides the awaiter calls it passes a cancellation on to the inner
    /// read: `cancel()` (when the inner read has one) and `cancel(request)`, so a `timeout`
    /// withdraws the inner read as it would a bare one. Bytes the inner read got after all
    /// (completed, its task then aborted) are kept in the buffer when it is destroyed.
    class fill_operation {
      public:
        /// What `fill_buf()` makes.
        explicit fill_operation(buffered_reader& r) noexcept : reader_(&r) {}
        /// Moves it; only before it is awaited (a `timeout` takes it by value).
        fill_operation(fill_operation&&) noexcept = default;
        fill_operation& operator=(fill_operation&&) = delete;
        /// Keeps in the buffer the bytes of an inner read that completed but was never
        /// resumed (its task aborted while queued).
        ~fill_operation() {
            if (auto late = inner_.take_unclaimed()) reader_->filled(*late);
        }

        /// True at once when bytes are buffered; otherwise starts the inner read.
        bool await_ready() {
            if (reader_->pos_ < reader_->end_) return true;
            return inner_.start(reader_->start_fill());
        }
        /// Waits for the inner read.
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
            return inner_.suspend(h);
        }
        /// The buffered bytes (empty: end of stream), or the inner reader's error.
        result<std::span<const std::byte>> await_resume() {
            if (inner_.started()) {
                auto n = inner_.resume();
                if (!n) return std::move(n).error();
                reader_->filled(n);
            }
            return reader_->buffer();
        }
        // Hidden from doxygen, which cannot parse this requires-clause; described above.
        /// \cond
        bool cancel() noexcept requires detail::inner_operation<inner_read>::cancellable {
            return inner_.cancel();
        }
        /// \endcond
        /// Passes the cancellation `r` on to the inner read; true when it was withdrawn.
        bool cancel(eddy::detail::cancel_request& r) noexcept { return inner_.cancel(r); }

      private:
        buffered_reader* reader_;
        detail::inner_operation<inner_read> inner_;
    };

    /// Awaits `read(buf)`. Besides the awaiter calls it passes a cancellation on to the inner
    /// read, as `fill_operation` does.
    class read_operation {
      public:
        /// What `read(buf)` makes.
        read_operation(buffered_reader& r, std::span<std::byte> buf) noexcept
            : reader_(&r), buf_(buf) {}
        /// Moves it; only before it is awaited (a `timeout` takes it by value).
        read_operation(read_operation&&) noexcept = default;
        read_operation& operator=(read_operation&&) = delete;
        /// Keeps in the buffer the bytes of a fill that completed but was never resumed (its
        /// task aborted while queued); bytes read straight into `buf` are not accounted.
        ~read_operation() {
            // Bytes that went straight into the caller's buffer cannot be accounted for.
            if (auto late = inner_.take_unclaimed(); late && !direct_) reader_->filled(*late);
        }

        /// True at once for an empty `buf` or when bytes are buffered (they are copied now);
        /// otherwise starts the inner read, into the buffer or straight into `buf`.
        bool await_ready() {
            if (buf_.empty()) return true;
            if (reader_->pos_ < reader_->end_) {
                copied_ = reader_->copy_out(buf_);
                return true;
            }
            if (buf_.size() >= reader_->capacity_) {
                direct_ = true;
                return inner_.start(reader_->get_ref().read(buf_));
            }
            return inner_.start(reader_->start_fill());
        }
        /// Waits for the inner read.
        std::coroutine_handle<> await_suspend(std::coroutine_handle<> h) {
            return inner_.suspend(h);
        }
        /// The count (0: end of stream, or an empty `buf`), or the inner reader's error.
        result<std::size_t> await_resume() {
            if (!inner_.started()) return copied_;
            auto n = inner_.resume();
            if (!n || direct_) return n;
            reader_->filled(n);
            return reader_->copy_out(buf_);
        }
        // Hidden from doxygen, which cannot parse this requires-clause; described above.
        /// \cond
        bool cancel() noexcept requires detail::inner_operation<inner_read>::cancellable {
            return inner_.cancel();
        }
        /// \endcond
        /// Passes the cancellation `r` on to the inner read; true when it was withdrawn.
        bool cancel(eddy::detail::cancel_request& r) noexcept { return inner_.cancel(r); }

      private:
        buffered_reader* reader_;
        std::span<std::byte> buf_;
        std::size_t copied_ = 0;
        bool direct_ = false;
        detail::inner_operation<inner_read> inner_;
    };

  private:
    /// Where a scan for a delimiter got to: `length` bytes of the buffer belong to the
    /// current piece; `complete` when they end with the delimiter or the stream ended.
    struct scan {
        std::size_t length;
        bool complete;
    };

    task<result<scan>> scan_for(unsigned char delim) {
        fill_operation fill(*this);
        auto available = co_await fill;
        if (!available) co_return std::move(available).error();
        if (available->empty()) co_return scan{0, true};
        const void* hit = std::memchr(available->data(), delim, available->size());
        if (!hit) co_return scan{available->size(), false};
        const auto* at = static_cast<const std::byte*>(hit);
        co_return scan{static_cast<std::size_t>(at - available->data()) + 1, true};
    }

    /// The read that refills the (drained) buffer from its start.
    inner_read start_fill() {
        pos_ = end_ = 0;
        return get_ref().read(std::span<std::byte>(storage_.get(), capacity_));
    }
    void filled(const result<std::size_t>& n) noexcept {
        if (n) end_ += *n;
    }
    std::size_t copy_out(std::span<std::byte> buf) noexcept {
        const std::size_t n = std::min(buf.size(), end_ - pos_);
        std::memcpy(buf.data(), storage_.get() + pos_, n);
        pos_ += n;
        return n;
    }

    detail::held<R> inner_;
    std::size_t capacity_;
    std::unique_ptr<std::byte[]> storage_;
    std::size_t pos_ = 0; ///< first unread byte
    std::size_t end_ = 0; ///< one past the last buffered byte
};

/// An lvalue is borrowed: `buffered_reader in(stream)` is a `buffered_reader<tcp_stream&>`.
template <class R> buffered_reader(R&) -> buffered_reader<R&>;
/// An lvalue is borrowed, with a buffer of the size given.
template <class R> buffered_reader(R&, std::size_t) -> buffered_reader<R&>;

} // namespace eddy::io
