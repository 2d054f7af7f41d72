// What the tests share: small tasks that count their frames, random payloads, connected
// pairs (TCP and Unix), text reads and writes, an owned fd, a check that an error names its
// cause, temp paths for Unix sockets that clean up after themselves, and bounded waits for
// spawned tasks, so that a broken library fails a test instead of hanging it. Test cases
// whose body is a coroutine are EDDY_TEST_CASEs (test_case.hpp); a test file opens with
// `using namespace eddy_test;` to name these helpers.
//
//     auto [client, server] = co_await eddy_test::connected_pair();
//     auto writer = eddy_test::scoped(eddy::spawn(eddy_test::send_then_shutdown(client, data)));
//     co_await eddy_test::joined(writer.handle());   // throws if it takes more than 10 s
//
// Never write `co_await` inside a Catch2 assertion (`CHECK(co_await f())`): Catch2 also
// puts the expression in `__builtin_constant_p(...)`, and g++ 12 runs the co_await there,
// so the operation runs twice. Await into a local first, then check the local.
#pragma once

#include "test_case.hpp"

#include "eddy/detail/unique_fd.hpp"
#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <sys/socket.h>
#include <unistd.h>

namespace eddy_test {

using namespace std::chrono_literals;

/// How long a test waits for something that should happen at once before it fails.
inline constexpr auto patience = std::chrono::seconds(10);

// --- tasks that count their frames ------------------------------------------------------

/// Counts coroutine frames alive. A task takes one as a by-value parameter (defaulted), so its
/// frame holds a copy from creation to destruction, even if its body never runs; a coroutine
/// may also hold one as a local, which counts only once its body runs.
struct frame_counter {
    static inline std::atomic<int> alive{0};
    frame_counter() noexcept { alive.fetch_add(1); }
    frame_counter(const frame_counter&) noexcept { alive.fetch_add(1); }
    frame_counter& operator=(const frame_counter&) = delete;
    ~frame_counter() { alive.fetch_sub(1); }
};

inline eddy::task<int> forty_two(frame_counter = {}) {
    co_return 42;
}

inline eddy::task<> set_flag(bool* flag, frame_counter = {}) {
    *flag = true;
    co_return;
}

/// `v` after sleeping for `d`; sets `*finished` first if given.
inline eddy::task<int> value_after(eddy::clock::duration d, int v, bool* finished = nullptr,
                                   frame_counter = {}) {
    co_await eddy::sleep_for(d);
    if (finished) *finished = true;
    co_return v;
}

/// A wait that never ends within a test (a child left to be cancelled).
inline constexpr auto forever = std::chrono::hours(1);

/// `v` after letting the core's other tasks run `n` times.
inline eddy::task<int> after_yields(int n, int v, frame_counter = {}) {
    for (int i = 0; i < n; ++i)
        co_await eddy::yield_now();
    co_return v;
}

inline eddy::task<> throw_runtime_error(std::string what) {
    throw std::runtime_error(what);
    co_return;
}

// --- bytes, streams and fds --------------------------------------------------------------

/// `size` pseudo-random bytes; the same seed gives the same bytes.
inline std::vector<std::byte> random_bytes(std::size_t size, std::uint64_t seed) {
    std::mt19937_64 gen(seed);
    std::vector<std::byte> out(size);
    std::size_t i = 0;
    for (; i + 8 <= size; i += 8) {
        std::uint64_t v = gen();
        for (int k = 0; k < 8; ++k)
            out[i + static_cast<std::size_t>(k)] = std::byte(v >> (8 * k));
    }
    for (std::uint64_t v = gen(); i < size; ++i, v >>= 8)
        out[i] = std::byte(v & 0xff);
    return out;
}

inline std::span<const std::byte> bytes_of(std::string_view text) noexcept {
    return std::as_bytes(std::span(text.data(), text.size()));
}

inline std::string text_of(std::span<const std::byte> bytes) {
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

/// An fd, closed when it goes out of scope: the library's own owner.
using unique_fd = eddy::detail::unique_fd;

/// Whether ::1 can be bound here (a machine may run without IPv6).
inline bool has_ipv6_loopback() {
    unique_fd fd(::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return false;
    const auto addr = eddy::net::socket_address::loopback_v6(0);
    return ::bind(fd.get(), addr.native(), addr.native_size()) == 0;
}

/// Throws `std::system_error` naming `what` when `r` holds an error.
template <class T> T expect(eddy::result<T> r, std::string_view what) {
    if (!r)
        throw std::system_error(r.error().code(), std::string(what) + ": " + r.error().message());
    if constexpr (!std::is_void_v<T>) return std::move(*r);
}

/// Checks that `r` failed with `code` and that its message names `named`.
template <class T, class Code>
void check_fails_naming(const eddy::result<T>& r, Code code, const std::string& named) {
    REQUIRE_FALSE(r);
    CHECK(r.error() == code);
    CHECK_THAT(r.error().message(), Catch::Matchers::ContainsSubstring(named));
}

/// A client stream and the server stream accepted for it, over 127.0.0.1.
inline eddy::task<std::pair<eddy::net::tcp_stream, eddy::net::tcp_stream>>
connect_through(eddy::net::tcp_listener& listener) {
    const auto addr = expect(listener.local_addr(), "local_addr");
    // The kernel completes the handshake before accept() is called.
    auto client = expect(co_await eddy::timeout(patience, eddy::net::tcp_stream::connect(addr)),
                         "connect " + addr.to_string());
    auto server = expect(co_await eddy::timeout(patience, listener.accept()), "accept");
    co_return std::pair{std::move(client), std::move(server)};
}

/// A client stream and the server stream accepted for it, over a Unix socket.
inline eddy::task<std::pair<eddy::net::unix_stream, eddy::net::unix_stream>>
connect_through(eddy::net::unix_listener& listener) {
    const auto addr = expect(listener.local_addr(), "local_addr");
    // connect() completes once the connection is queued, before accept() takes it.
    auto client = expect(co_await eddy::timeout(patience, eddy::net::unix_stream::connect(addr)),
                         "connect " + addr.to_string());
    auto server = expect(co_await eddy::timeout(patience, listener.accept()), "accept");
    co_return std::pair{std::move(client), std::move(server)};
}

/// A connected loopback pair (client, server) whose listener is gone already.
inline eddy::task<std::pair<eddy::net::tcp_stream, eddy::net::tcp_stream>> connected_pair() {
    auto listener = expect(eddy::net::tcp_listener::bind("127.0.0.1:0"), "bind");
    co_return co_await connect_through(listener);
}

/// Two connected streams of type S: over 127.0.0.1 for TCP, a socketpair for Unix (tests
/// that hold for every stream type are TEMPLATE_TEST_CASEs over both).
template <class S> eddy::task<std::pair<S, S>> stream_pair() {
    if constexpr (std::is_same_v<S, eddy::net::tcp_stream>)
        co_return co_await connected_pair();
    else
        co_return S::pair().value();
}

template <class T> eddy::task<eddy::result<T>> join(eddy::join_handle<T>& h) {
    co_return co_await h;
}

/// The value of a spawned task; throws if it does not end within `limit` or was aborted.
template <class T>
eddy::task<T> joined(eddy::join_handle<T>& h, std::chrono::milliseconds limit = patience) {
    auto outcome = co_await eddy::timeout(limit, join(h));
    if constexpr (std::is_void_v<T>)
        expect(std::move(outcome), "joining a task");
    else
        co_return expect(std::move(outcome), "joining a task");
}

/// Owns a spawned task and aborts it when it goes out of scope, so a task that borrows the
/// caller's locals never outlives them (a failed check may leave the scope early).
template <class T> class scoped {
  public:
    explicit scoped(eddy::join_handle<T> h) noexcept : handle_(std::move(h)) {}
    scoped(const scoped&) = delete;
    scoped& operator=(const scoped&) = delete;
    ~scoped() { handle_.abort(); }
    eddy::join_handle<T>& handle() noexcept { return handle_; }
    bool is_finished() const noexcept { return handle_.is_finished(); }

  private:
    eddy::join_handle<T> handle_;
};

/// Waits (bounded) until `done()` holds; gives its final value.
template <class Pred>
eddy::task<bool> eventually(Pred done, std::chrono::milliseconds limit = patience) {
    const auto deadline = eddy::clock::now() + limit;
    while (!done() && eddy::clock::now() < deadline)
        co_await eddy::sleep_for(5ms);
    co_return done();
}

/// Writes all of `data`, then shuts the write side down.
template <class W>
eddy::task<eddy::result<void>> send_then_shutdown(W& w, std::span<const std::byte> data) {
    if (auto wrote = co_await eddy::io::write_all(w, data); !wrote) co_return wrote;
    co_return co_await w.shutdown();
}

/// Reads exactly `n` bytes and gives them as text; throws if they do not come in time.
template <class R> eddy::task<std::string> read_text(R& r, std::size_t n) {
    std::string text(n, '\0');
    expect(co_await eddy::timeout(patience,
                                  eddy::io::read_exact(r, std::as_writable_bytes(std::span(text)))),
           "read_exact");
    co_return text;
}

/// Writes all of `text`; throws if that fails or does not end in time.
template <class W> eddy::task<> write_text(W& w, std::string_view text) {
    expect(co_await eddy::timeout(patience, eddy::io::write_all(w, bytes_of(text))), "write_all");
}

/// Writes `text` through `from` and gives what `to` then reads of the same length.
template <class W, class R>
eddy::task<std::string> pass_text(W& from, R& to, std::string_view text) {
    co_await write_text(from, text);
    co_return co_await read_text(to, text.size());
}

/// Writes all of `data` through a borrowed write half (held by value, to spawn it).
template <class WriteHalf>
eddy::task<eddy::result<void>> write_everything(WriteHalf wr, std::span<const std::byte> data) {
    co_return co_await eddy::io::write_all(wr, data);
}

/// Reads exactly `out.size()` bytes into `out`, then expects the end of the stream (a read
/// of 0); `errc::too_large` if more bytes come.
template <class R>
eddy::task<eddy::result<void>> receive_exactly(R& r, std::vector<std::byte>& out) {
    if (auto filled = co_await eddy::io::read_exact(r, out); !filled) co_return filled;
    std::array<std::byte, 1> extra{};
    auto end = co_await r.read(extra);
    if (!end) co_return std::move(end).error();
    if (*end != 0) co_return eddy::errc::too_large;
    co_return eddy::ok();
}

/// Empty when `got` equals `want`; otherwise says how they differ (sizes, first offset), so
/// that a failed check does not print megabytes.
inline std::string difference(std::span<const std::byte> got, std::span<const std::byte> want) {
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
    if (g == got.end() && w == want.end()) return {};
    return "got " + std::to_string(got.size()) + " bytes, want " + std::to_string(want.size()) +
           "; first difference at offset " + std::to_string(g - got.begin());
}

/// A fresh path for a socket file under the temp directory, unique to this process and
/// call; whatever is there is removed when it goes out of scope.
class temp_socket_path {
  public:
    temp_socket_path() : path_(std::filesystem::temp_directory_path() / unique_name(".sock")) {}
    temp_socket_path(const temp_socket_path&) = delete;
    temp_socket_path& operator=(const temp_socket_path&) = delete;
    ~temp_socket_path() {
        std::error_code ignored;
        std::filesystem::remove(path_, ignored);
    }
    const std::filesystem::path& path() const noexcept { return path_; }
    std::string string() const { return path_.string(); }

    /// "eddy-test-<pid>-<n><suffix>", a name no other test or process uses.
    static std::string unique_name(std::string_view suffix = {}) {
        static std::atomic<int> counter{0};
        std::string name = "eddy-test-";
        name.append(std::to_string(::getpid())).append("-");
        name.append(std::to_string(counter.fetch_add(1))).append(suffix);
        return name;
    }

  private:
    std::filesystem::path path_;
};

} // namespace eddy_test
