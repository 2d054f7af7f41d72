// `chunked_reader`: an in-memory `async_reader` whose reads follow a plan the fuzzer wrote, so
// the buffered readers above it meet every shape of arrival: short reads of any size, reads
// that complete at once or only after the task waited a turn, and reads that fail.
//
//     chunked_reader in(text, plan);              // plan: one byte per read, used in a cycle
//     auto lines = eddy::io::lines(in, 80);
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/yield_now.hpp"

#include <algorithm>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <system_error>

namespace eddy_fuzz {

/// The error a planned failure gives; no other reader error can occur.
inline constexpr std::errc injected_error = std::errc::connection_reset;

class chunked_reader {
  public:
    /// One read as the plan says it: bit 7 waits a turn before completing, bit 6 fails the
    /// read (on the first pass over the plan only, so reads go on making progress), bits 0-5
    /// plus one are the most bytes it gives. An empty plan gives all it can at once.
    struct step {
        bool wait = false;
        bool fail = false;
        std::size_t most = SIZE_MAX;
    };

    chunked_reader(std::string_view data, std::span<const std::uint8_t> plan) noexcept
        : data_(data), plan_(plan) {}

    class read_operation {
      public:
        read_operation(chunked_reader& r, std::span<std::byte> buf) noexcept
            : reader_(&r), buf_(buf) {}
        // The yield awaiter is not moved: an operation only moves before it starts.
        read_operation(read_operation&& o) noexcept : reader_(o.reader_), buf_(o.buf_) {}
        read_operation& operator=(read_operation&&) = delete;

        bool await_ready() noexcept {
            step_ = reader_->next_step();
            return !step_.wait;
        }
        void await_suspend(std::coroutine_handle<> h) noexcept { yield_.await_suspend(h); }
        eddy::result<std::size_t> await_resume() noexcept { return reader_->complete(step_, buf_); }

      private:
        chunked_reader* reader_;
        std::span<std::byte> buf_;
        step step_;
        eddy::detail::yield_awaiter yield_ = eddy::yield_now();
    };

    read_operation read(std::span<std::byte> buf) noexcept { return {*this, buf}; }

    /// Reads that failed as planned so far.
    std::size_t failures() const noexcept { return failures_; }

  private:
    step next_step() noexcept {
        if (plan_.empty()) return {};
        const std::uint8_t byte = plan_[reads_ % plan_.size()];
        const bool first_pass = reads_ < plan_.size();
        ++reads_;
        return {.wait = (byte & 0x80) != 0,
                .fail = first_pass && (byte & 0x40) != 0,
                .most = static_cast<std::size_t>(byte & 0x3f) + 1};
    }

    eddy::result<std::size_t> complete(const step& s, std::span<std::byte> buf) noexcept {
        if (s.fail) {
            ++failures_;
            return std::make_error_code(injected_error);
        }
        const std::size_t n = std::min({buf.size(), s.most, data_.size() - pos_});
        if (n > 0) std::memcpy(buf.data(), data_.data() + pos_, n);
        pos_ += n;
        return n;
    }

    std::string_view data_;
    std::span<const std::uint8_t> plan_;
    std::size_t pos_ = 0;
    std::size_t reads_ = 0;
    std::size_t failures_ = 0;
};

} // namespace eddy_fuzz
