// Fuzz target for `io::lines` and `io::buffered_reader`. The input is a small header and a
// text; the text is read through a `chunked_reader` whose reads follow the header's plan, by
// one of five consumers, and what they give must match the text split the plain way
// (reference_split.hpp): same lines, same too-long lines, nothing lost, nothing doubled, and
// each planned read failure passed on once and only once.
//
// Input: [mode] [parameter] [capacity - 1] [plan length] [plan bytes...] [text...]; missing
// header bytes count as 0. The coroutines run on one runtime (one core) kept for the whole
// process, as a server keeps its runtime.

#include "chunked_reader.hpp"
#include "fuzz_check.hpp"
#include "reference_split.hpp"

#include "eddy/io/buffered_reader.hpp"
#include "eddy/io/lines.hpp"
#include "eddy/runtime/runtime.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using eddy_fuzz::check;
using eddy_fuzz::chunked_reader;

enum class consumer { lines, read_line, read_until, read, lines_of_buffer, count };

struct fuzz_case {
    consumer mode = consumer::lines;
    std::uint8_t parameter = 0; ///< selects max_len (lines) or the delimiter (read_until)
    std::size_t capacity = 1;
    std::span<const std::uint8_t> plan;
    std::string_view text;
    std::string_view input; ///< all of it, for reports

    /// Small limits find the edge cases; the top 16 values stand for limits up to SIZE_MAX,
    /// where `max_len + 1` must not wrap.
    std::size_t max_len() const noexcept {
        if (parameter < 240) return parameter;
        return SIZE_MAX - static_cast<std::size_t>(255 - parameter);
    }
};

fuzz_case decode(const std::uint8_t* data, std::size_t size) {
    auto byte = [&](std::size_t i) -> std::uint8_t { return i < size ? data[i] : 0; };
    fuzz_case c;
    c.mode = static_cast<consumer>(byte(0) % static_cast<unsigned>(consumer::count));
    c.parameter = byte(1);
    c.capacity = std::size_t{byte(2)} + 1;
    const std::size_t header = std::min<std::size_t>(size, 4);
    const std::size_t plan_length = std::min<std::size_t>(byte(3) % 9, size - header);
    c.plan = std::span<const std::uint8_t>(data + header, plan_length);
    c.text = std::string_view(reinterpret_cast<const char*>(data) + header + plan_length,
                              size - header - plan_length);
    c.input = std::string_view(reinterpret_cast<const char*>(data), size);
    return c;
}

/// More steps than this and a consumer is going round without progress: every step either
/// consumes a byte, meets one of the (at most plan.size()) planned failures, or ends.
std::size_t step_bound(const fuzz_case& c) {
    return c.text.size() + c.plan.size() + 2;
}

void check_failure(const eddy::error& e, const fuzz_case& c) {
    check(e == eddy_fuzz::injected_error, "an error no read gave", c.input);
}

template <class Lines>
eddy::task<> check_lines_of(Lines& lines, const chunked_reader& in, const fuzz_case& c) {
    const std::size_t max_len = c.max_len();
    std::vector<eddy_fuzz::line_event> got;
    std::size_t failures = 0;
    for (std::size_t steps = 0;; ++steps) {
        check(steps <= step_bound(c), "next() makes no progress", c.input);
        auto line = co_await lines.next();
        if (max_len < (std::size_t{1} << 20))
            check(lines.held_bytes() <= lines.reader().capacity() + 2 * max_len + 32,
                  "lines holds more than its buffer and twice the limit", c.input);
        if (!line) {
            if (line.error() == eddy::errc::too_large) {
                check(line.error().message().find(std::to_string(max_len)) != std::string::npos,
                      "too_large does not name the limit", c.input);
                got.push_back({.too_long = true, .text = {}});
            } else {
                check_failure(line.error(), c);
                ++failures;
            }
            continue;
        }
        if (!*line) break;
        check((*line)->size() <= max_len, "a line longer than the limit", c.input);
        check((*line)->find('\n') == std::string::npos, "a line holds '\\n'", c.input);
        got.push_back({.too_long = false, .text = std::move(**line)});
    }
    check(got == eddy_fuzz::expected_lines(c.text, max_len), "lines differ from the reference",
          c.input);
    // The end stays the end, though the reader is asked again and may fail as planned.
    for (std::size_t again = 0;; ++again) {
        check(again <= c.plan.size(), "next() after the end makes no progress", c.input);
        auto after = co_await lines.next();
        if (!after) {
            check_failure(after.error(), c);
            ++failures;
            continue;
        }
        check(!*after, "the end of the lines did not stay the end", c.input);
        break;
    }
    check(failures == in.failures(), "a read failure was lost or doubled", c.input);
}

eddy::task<> check_lines(fuzz_case c) {
    chunked_reader in(c.text, c.plan);
    if (c.mode == consumer::lines) {
        auto lines = eddy::io::lines(in, c.max_len(), c.capacity);
        co_await check_lines_of(lines, in, c);
    } else { // a buffered_reader handed over whole: used as it is
        auto lines = eddy::io::lines(eddy::io::buffered_reader(in, c.capacity), c.max_len());
        co_await check_lines_of(lines, in, c);
    }
}

/// `read_line` (delimiter '\n') or `read_until`: each call appends one piece.
eddy::task<> check_delimited(fuzz_case c) {
    const bool by_line = c.mode == consumer::read_line;
    const char delim = by_line ? '\n' : static_cast<char>(c.parameter);
    chunked_reader in(c.text, c.plan);
    eddy::io::buffered_reader buffered(in, c.capacity);
    std::vector<std::string> got;
    std::string piece; // what the calls for the current piece appended so far
    std::size_t failures = 0;
    for (std::size_t steps = 0;; ++steps) {
        check(steps <= step_bound(c), "read_until makes no progress", c.input);
        const std::size_t before = piece.size();
        eddy::result<std::size_t> n = 0;
        if (by_line) {
            n = co_await buffered.read_line(piece);
        } else {
            std::vector<std::byte> out;
            n = co_await buffered.read_until(static_cast<std::byte>(delim), out);
            piece.append(reinterpret_cast<const char*>(out.data()), out.size());
        }
        if (!n) { // what was read before the failure stays appended
            check_failure(n.error(), c);
            ++failures;
            continue;
        }
        check(*n == piece.size() - before, "the count is not what was appended", c.input);
        check(piece.find(delim) >= piece.size() - 1, "a piece holds its delimiter inside", c.input);
        if (!piece.empty()) got.push_back(std::exchange(piece, std::string()));
        if (*n == 0) break;
    }
    check(got == eddy_fuzz::split_after(c.text, delim), "pieces differ from the reference",
          c.input);
    check(failures == in.failures(), "a read failure was lost or doubled", c.input);
}

/// `read` with sizes from the plan, and now and then `fill_buf` + `consume` instead.
eddy::task<> check_reads(fuzz_case c) {
    chunked_reader in(c.text, c.plan);
    eddy::io::buffered_reader buffered(in, c.capacity);
    std::string got;
    std::size_t failures = 0;
    for (std::size_t steps = 0;; ++steps) {
        check(steps <= step_bound(c), "read makes no progress", c.input);
        const std::uint8_t byte = c.plan.empty() ? 0 : c.plan[steps % c.plan.size()];
        std::size_t want = static_cast<std::size_t>(byte & 0x3f) * 9; // beyond capacity too
        if (want == 0) {
            auto none = co_await buffered.read(std::span<std::byte>());
            check(none && *none == 0, "an empty read did not give 0", c.input);
            want = 1;
        }
        std::size_t n = 0;
        if (byte & 0x40) {
            auto available = co_await buffered.fill_buf();
            if (!available) {
                check_failure(available.error(), c);
                ++failures;
                continue;
            }
            check(available->size() <= buffered.capacity(), "more buffered than fits", c.input);
            n = std::min(want, available->size());
            got.append(reinterpret_cast<const char*>(available->data()), n);
            buffered.consume(n);
        } else {
            std::vector<std::byte> buf(want);
            auto read = co_await buffered.read(buf);
            if (!read) {
                check_failure(read.error(), c);
                ++failures;
                continue;
            }
            n = *read;
            check(n <= want, "read gave more than asked", c.input);
            got.append(reinterpret_cast<const char*>(buf.data()), n);
        }
        if (n == 0) break;
    }
    check(got == c.text, "the bytes read differ from the text", c.input);
    check(failures == in.failures(), "a read failure was lost or doubled", c.input);
}

eddy::task<> check_case(fuzz_case c) {
    switch (c.mode) {
    case consumer::lines:
    case consumer::lines_of_buffer: co_await check_lines(c); break;
    case consumer::read_line:
    case consumer::read_until: co_await check_delimited(c); break;
    case consumer::read:
    case consumer::count: co_await check_reads(c); break;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static eddy::runtime rt; // one core, made once: runtimes are not made per request
    rt.block_on(check_case(decode(data, size)));
    return 0;
}
