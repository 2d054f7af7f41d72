// `lines(reader, max_len)`: a stream's text lines, one `next()` at a time, with a bound on
// the length of a line, so a peer that never sends "\n" cannot make it grow without bound
// (Tokio's LinesCodec with a maximum length).
//
//     auto lines = eddy::io::lines(stream, 4096);              // borrows the stream
//     while (auto line = co_await lines.next()) {              // result<optional<string>>
//         if (!*line) break;                                   // end of stream
//         handle(**line);
//     }
//
// A line ends with "\n" or "\r\n", neither of which is part of the line; a "\r" anywhere
// else is kept. A last line without "\n" is still given. A line longer than `max_len`
// (not counting its ending) gives `errc::too_large`; the next `next()` goes on after the
// end of that line, whose rest is thrown away as it arrives, never stored: memory stays
// within the read buffer plus about `max_len`. The reader is taken as `buffered_reader` is:
// an lvalue is borrowed, an rvalue owned; a buffered_reader is used as it is, any other
// reader gets one.
#pragma once

#include "eddy/io/buffered_reader.hpp"
#include "eddy/io/detail/held.hpp"
#include "eddy/runtime/task.hpp"

#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

namespace eddy::io {

namespace detail {
template <class T> inline constexpr bool is_buffered_reader = false;
template <class R> inline constexpr bool is_buffered_reader<buffered_reader<R>> = true;
} // namespace detail

/// The lines of a reader, from `lines()`: see the top of this header. It holds the reader
/// (borrowed or owned, as `R` says) in a `buffered_reader`, or uses the one it is given. Use
/// it from one task at a time, on the reader's core.
template <class R> class line_reader {
    static constexpr bool given_buffer = detail::is_buffered_reader<std::remove_cvref_t<R>>;
    using buffer_holder =
        std::conditional_t<given_buffer, detail::held<R>, detail::held<buffered_reader<R>>>;

  public:
    /// See `lines()`; `capacity` is the read buffer's size when one is made here.
    line_reader(R reader, std::size_t max_len, std::size_t capacity = default_buffer_capacity)
        : reader_(make_holder(std::forward<R>(reader), capacity)), max_len_(max_len) {}

    /// The next line; `std::nullopt` at end of stream (and after); `errc::too_large` naming
    /// the limit for a line longer than `max_len`; the reader's error if it fails.
    /// Cancel-safe: cancelled, no data is lost (a partial line is kept for the next call).
    task<result<std::optional<std::string>>> next() {
        for (;;) {
            auto& in = reader();
            auto fill = in.fill_buf();
            auto available = co_await fill;
            if (!available) co_return std::move(available).error();
            if (available->empty()) co_return finish();
            const char* data = reinterpret_cast<const char*>(available->data());
            const void* newline = std::memchr(data, '\n', available->size());
            if (discarding_) { // the rest of a line already reported as too long
                if (!newline) {
                    in.consume(available->size());
                    continue;
                }
                in.consume(static_cast<std::size_t>(static_cast<const char*>(newline) - data) + 1);
                discarding_ = false;
                continue;
            }
            if (!newline) {
                // One byte beyond the limit may be the "\r" of a "\r\n" still to come.
                if (beyond_limit_and_cr(line_.size() + available->size())) {
                    in.consume(available->size());
                    discarding_ = true;
                    co_return too_long();
                }
                line_.append(data, available->size());
                in.consume(available->size());
                continue;
            }
            const auto length = static_cast<std::size_t>(static_cast<const char*>(newline) - data);
            in.consume(length + 1);
            if (beyond_limit_and_cr(line_.size() + length)) co_return too_long();
            line_.append(data, length);
            if (!line_.empty() && line_.back() == '\r') line_.pop_back();
            if (line_.size() > max_len_) co_return too_long();
            co_return take_line();
        }
    }

    /// The buffered reader the lines come from.
    auto& reader() noexcept { return reader_.get(); }
    /// The longest line it gives, in bytes, its ending not counted.
    std::size_t max_len() const noexcept { return max_len_; }
    /// Bytes of storage held now: the read buffer plus what the line being put together
    /// has reserved. Stays within about `capacity + 2 * max_len` whatever arrives.
    std::size_t held_bytes() const noexcept { return reader_.get().capacity() + line_.capacity(); }

  private:
    static buffer_holder make_holder(R&& reader, std::size_t capacity) {
        if constexpr (given_buffer)
            return buffer_holder(std::forward<R>(reader));
        else
            return buffer_holder(buffered_reader<R>(std::forward<R>(reader), capacity));
    }

    /// True when `size` bytes are more than the limit plus one "\r"; written so that no
    /// limit overflows (`max_len + 1` wraps for SIZE_MAX).
    bool beyond_limit_and_cr(std::size_t size) const noexcept {
        return size > max_len_ && size - max_len_ > 1;
    }

    /// At end of stream: the last line if it had no "\n" (a "\r" at its end is kept).
    result<std::optional<std::string>> finish() {
        discarding_ = false;
        if (line_.empty()) return std::optional<std::string>();
        if (line_.size() > max_len_) return too_long();
        return take_line();
    }
    result<std::optional<std::string>> take_line() {
        std::optional<std::string> line(std::move(line_));
        line_ = std::string();
        return line;
    }
    result<std::optional<std::string>> too_long() {
        line_ = std::string(); // give its memory back too
        std::string context("line longer than the limit of ");
        context.append(std::to_string(max_len_)).append(" bytes");
        return error(errc::too_large, std::move(context));
    }

    buffer_holder reader_;
    std::size_t max_len_;
    std::string line_;        ///< the line put together so far
    bool discarding_ = false; ///< skipping the rest of a line that was too long
};

/// The lines of `reader`, each at most `max_len` bytes; see the top of this header. An lvalue
/// `reader` is borrowed and must outlive the result; an rvalue is moved in. `capacity` is
/// the size of the read buffer made here (a `buffered_reader` given keeps its own).
template <class R>
line_reader<R> lines(R&& reader, std::size_t max_len,
                     std::size_t capacity = default_buffer_capacity) {
    return line_reader<R>(std::forward<R>(reader), max_len, capacity);
}

} // namespace eddy::io
