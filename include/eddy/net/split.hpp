// Splitting a stream into a read half and a write half, so one task (or one side of
// `copy`) reads while another writes: a stream has one waiting reader and one waiting
// writer at a time, and the halves are those two roles.
//
//     auto [rd, wr] = stream.split();                    // borrowed: the stream must outlive them
//     auto [r, w] = std::move(stream).into_split();      // owned: give them to different tasks
//     auto back = eddy::net::reunite(std::move(r), std::move(w));   // the stream again
//
// Dropping an owned write half shuts down the write side, as in Tokio. Halves stay on the
// stream's core.
#pragma once

#include "eddy/result.hpp"

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <utility>

namespace eddy::net {

/// The reading side of a stream `S`, borrowed from it (from `split()`): a pointer to the
/// stream, cheap to copy. The stream must outlive it. Its calls are the stream's: see
/// `stream_socket` for their errors and cancel safety.
template <class S> class read_half {
  public:
    /// Borrows the reading side of `s`.
    explicit read_half(S& s) noexcept : stream_(&s) {}
    /// The stream's `read`: the count, 0 at end of stream, or the error. Cancel-safe.
    auto read(std::span<std::byte> buf) noexcept { return stream_->read(buf); }
    /// The stream's `readable`: waits until a read would not block. Cancel-safe.
    auto readable() noexcept { return stream_->readable(); }
    /// The stream's `try_read`: the count, 0 at end of stream, `errc::would_block`, or the
    /// error.
    auto try_read(std::span<std::byte> buf) noexcept { return stream_->try_read(buf); }
    /// The stream it reads from.
    S& stream() const noexcept { return *stream_; }

  private:
    S* stream_;
};

/// The writing side of a stream `S`, borrowed from it (from `split()`): a pointer to the
/// stream, cheap to copy. The stream must outlive it; dropping it shuts nothing down. Its
/// calls are the stream's: see `stream_socket` for their errors and cancel safety.
template <class S> class write_half {
  public:
    /// Borrows the writing side of `s`.
    explicit write_half(S& s) noexcept : stream_(&s) {}
    /// The stream's `write`: writes some of `buf`, giving the count or the error. Cancel-safe.
    auto write(std::span<const std::byte> buf) noexcept { return stream_->write(buf); }
    /// The stream's `write` of the bytes of `text`, which must stay alive until it completes.
    auto write(std::string_view text) noexcept { return stream_->write(text); }
    /// The stream's `writable`: waits until a write would not block. Cancel-safe.
    auto writable() noexcept { return stream_->writable(); }
    /// The stream's `try_write`: the count, `errc::would_block`, or the error.
    auto try_write(std::span<const std::byte> buf) noexcept { return stream_->try_write(buf); }
    /// The stream's `shutdown`: the peer reads end of stream. Never waits.
    auto shutdown() noexcept { return stream_->shutdown(); }
    /// The stream it writes to.
    S& stream() const noexcept { return *stream_; }

  private:
    S* stream_;
};

template <class S> class owned_write_half;

/// The reading side of a stream `S`, owning a share of it (from `into_split()`); the stream
/// is closed when both halves are gone. It can go to another task of the same core. Its calls
/// are the stream's: see `stream_socket` for their errors and cancel safety. A copy shares
/// the same side: only one read (or `readable`) may wait at a time among them.
template <class S> class owned_read_half {
  public:
    /// Shares `s`, as `into_split` does.
    explicit owned_read_half(std::shared_ptr<S> s) noexcept : stream_(std::move(s)) {}
    /// The stream's `read`: the count, 0 at end of stream, or the error. Cancel-safe.
    auto read(std::span<std::byte> buf) noexcept { return stream_->read(buf); }
    /// The stream's `readable`: waits until a read would not block. Cancel-safe.
    auto readable() noexcept { return stream_->readable(); }
    /// The stream's `try_read`: the count, 0 at end of stream, `errc::would_block`, or the
    /// error.
    auto try_read(std::span<std::byte> buf) noexcept { return stream_->try_read(buf); }
    /// True if `w` was split from the same stream as this half.
    bool is_pair_of(const owned_write_half<S>& w) const noexcept { return stream_ == w.stream_; }

  private:
    template <class T> friend result<T> reunite(owned_read_half<T>&& r, owned_write_half<T>&& w);
    std::shared_ptr<S> stream_;
};

/// The writing side of a stream `S`, owning a share of it (from `into_split()`); shuts down
/// writing when dropped, so the peer reads end of stream. Move-only; it can go to another
/// task of the same core. Its calls are the stream's: see `stream_socket` for their errors
/// and cancel safety.
template <class S> class owned_write_half {
  public:
    /// Shares `s`, as `into_split` does.
    explicit owned_write_half(std::shared_ptr<S> s) noexcept : stream_(std::move(s)) {}
    /// Moves the half; `o` is left empty and shuts nothing down.
    owned_write_half(owned_write_half&&) noexcept = default;
    /// Shuts down the write side this half held (as the destructor does), then takes `o`'s.
    owned_write_half& operator=(owned_write_half&& o) noexcept {
        if (this != &o) {
            shutdown_now();
            stream_ = std::move(o.stream_);
        }
        return *this;
    }
    /// Shuts down the stream's write side unless the half is empty (moved from, reunited)
    /// or the stream is closed; an error of that shutdown is dropped.
    ~owned_write_half() { shutdown_now(); }

    /// The stream's `write`: writes some of `buf`, giving the count or the error. Cancel-safe.
    auto write(std::span<const std::byte> buf) noexcept { return stream_->write(buf); }
    /// The stream's `write` of the bytes of `text`, which must stay alive until it completes.
    auto write(std::string_view text) noexcept { return stream_->write(text); }
    /// The stream's `writable`: waits until a write would not block. Cancel-safe.
    auto writable() noexcept { return stream_->writable(); }
    /// The stream's `try_write`: the count, `errc::would_block`, or the error.
    auto try_write(std::span<const std::byte> buf) noexcept { return stream_->try_write(buf); }
    /// The stream's `shutdown`: the peer reads end of stream. Never waits.
    auto shutdown() noexcept { return stream_->shutdown(); }

  private:
    friend class owned_read_half<S>;
    template <class T> friend result<T> reunite(owned_read_half<T>&& r, owned_write_half<T>&& w);

    void shutdown_now() noexcept {
        if (stream_ && stream_->is_open()) (void)stream_->shutdown().await_resume();
    }
    std::shared_ptr<S> stream_;
};

/// Splits an owned stream into halves that can go to different tasks (of the same core);
/// `s` is moved into one shared allocation (`std::bad_alloc` if that fails).
template <class S> std::pair<owned_read_half<S>, owned_write_half<S>> into_split(S&& s) {
    auto shared = std::make_shared<S>(std::move(s));
    return {owned_read_half<S>(shared), owned_write_half<S>(shared)};
}

/// What a stream type `S` gets for being splittable, written once for every stream: the
/// names of its halves, `split()` and `into_split()`. A stream derives from it:
/// `class tcp_stream : public stream_socket, public splittable<tcp_stream>`.
template <class S> class splittable {
  public:
    using read_half = net::read_half<S>;               ///< what `split()` gives to read
    using write_half = net::write_half<S>;             ///< what `split()` gives to write
    using owned_read_half = net::owned_read_half<S>;   ///< what `into_split()` gives to read
    using owned_write_half = net::owned_write_half<S>; ///< what `into_split()` gives to write

    /// Borrowed halves; the stream must outlive them.
    std::pair<read_half, write_half> split() noexcept {
        return {read_half(self()), write_half(self())};
    }
    /// Owned halves, taking the stream (one allocation); `net::reunite` puts them back
    /// together.
    std::pair<owned_read_half, owned_write_half> into_split() && {
        return net::into_split(std::move(self()));
    }

  private:
    S& self() noexcept { return static_cast<S&>(*this); }
};

/// Puts two owned halves back together; `errc::not_same_stream` if they come from two
/// streams or either is empty (moved from), and then the halves are left as they were (as
/// Tokio's ReuniteError gives them back), so each can still be reunited with its own partner.
template <class S> result<S> reunite(owned_read_half<S>&& r, owned_write_half<S>&& w) {
    if (!r.stream_ || !w.stream_) return error(errc::not_same_stream, "an empty (moved-from) half");
    if (r.stream_ != w.stream_) return errc::not_same_stream;
    auto shared = std::move(r.stream_);
    w.stream_.reset(); // no shutdown: the stream lives on
    return S(std::move(*shared));
}

} // namespace eddy::net
