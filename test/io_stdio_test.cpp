// The standard streams, tested by putting pipes, sockets and files on fd 0, 1 and 2 of this
// very process. Catch2 reports on stdout, so no assertion runs while fd 1 is redirected:
// each test gathers what it saw while the fds are swapped, puts them back (a guard does,
// also when something throws), and checks afterwards.
#include "fd_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using eddy::io::stdio_mode;
using namespace eddy_test;

namespace {

/// Everything from `in` until end of stream, within `patience`.
template <class Reader> eddy::task<eddy::result<std::string>> read_all(Reader& in) {
    std::vector<std::byte> got;
    auto n = co_await eddy::timeout(patience, eddy::io::read_to_end(in, got, 64 << 20));
    if (!n) co_return std::move(n).error();
    co_return text_of(got);
}

} // namespace

TEST_CASE("stdin on a pipe waits on the reactor, reads to the end, and leaves the shared "
          "flags alone",
          "[io][stdio]") {
    eddy::runtime rt;
    auto pipe_ends = make_pipe();
    unique_fd& read_end = pipe_ends.first;
    unique_fd& write_end = pipe_ends.second;
    struct {
        stdio_mode mode = stdio_mode::unavailable;
        bool nonblocking_before = true, nonblocking_after = true;
        eddy::result<std::string> got = std::string();
    } seen;
    {
        redirected in_pipe(0, read_end.get());
        read_end.reset();
        seen.nonblocking_before = nonblocking(0);
        // If a read blocked the core, the writer below would never run: this ends it.
        rescue_end rescue(write_end.get());
        watchdog dog([&] { rescue.write_and_close(); });
        seen.got = rt.block_on([&]() -> eddy::task<eddy::result<std::string>> {
            auto in = eddy::io::stdin();
            seen.mode = in.mode();
            auto late_writer = [&]() -> eddy::task<> {
                co_await eddy::sleep_for(20ms);
                (void)!::write(write_end.get(), "written late", 12);
                write_end.reset();
                rescue.close(); // the last write end: stdin sees end of stream
            };
            auto writer = scoped(eddy::spawn(late_writer()));
            auto got = co_await read_all(in);
            co_return got;
        }());
        seen.nonblocking_after = nonblocking(0);
    }
    CHECK(seen.mode == stdio_mode::readiness);
    REQUIRE(seen.got);
    CHECK(*seen.got == "written late");
    CHECK_FALSE(seen.nonblocking_before);
    CHECK_FALSE(seen.nonblocking_after);
}

TEST_CASE("a stdin read cancelled by a timeout takes nothing from the pipe", "[io][stdio]") {
    eddy::runtime rt;
    auto pipe_ends = make_pipe();
    unique_fd& read_end = pipe_ends.first;
    unique_fd& write_end = pipe_ends.second;
    struct {
        eddy::result<std::size_t> cut = std::size_t{0};
        eddy::result<std::string> got = std::string();
    } seen;
    {
        redirected in_pipe(0, read_end.get());
        read_end.reset();
        rescue_end rescue(write_end.get());
        watchdog dog([&] { rescue.write_and_close(); });
        rt.block_on([&]() -> eddy::task<> {
            auto in = eddy::io::stdin();
            std::array<std::byte, 64> buf{};
            seen.cut = co_await eddy::timeout(30ms, in.read(buf));
            (void)!::write(write_end.get(), "data", 4);
            write_end.reset();
            rescue.close();
            seen.got = co_await read_all(in);
        }());
    }
    REQUIRE_FALSE(seen.cut);
    CHECK(seen.cut.error() == eddy::errc::timed_out);
    REQUIRE(seen.got);
    CHECK(*seen.got == "data");
}

TEST_CASE("stdout on a pipe waits while the pipe is full, and delivers every byte", "[io][stdio]") {
    eddy::runtime rt;
    const auto data = random_bytes(1 << 20, 11); // far more than a pipe holds
    auto pipe_ends = make_pipe();
    unique_fd& read_end = pipe_ends.first;
    unique_fd& write_end = pipe_ends.second;
    auto drained = drain(read_end.get());
    struct {
        stdio_mode mode = stdio_mode::unavailable, after_shutdown = stdio_mode::readiness;
        bool nonblocking_before = true, nonblocking_after = true;
        eddy::result<void> wrote;
        eddy::result<std::size_t> write_after_shutdown = std::size_t{0};
    } seen;
    {
        redirected out_pipe(1, write_end.get());
        seen.nonblocking_before = nonblocking(1);
        rt.block_on([&]() -> eddy::task<> {
            auto out = eddy::io::stdout();
            seen.mode = out.mode();
            seen.wrote = co_await eddy::timeout(patience, eddy::io::write_all(out, data));
            auto closed = co_await out.shutdown();
            expect(std::move(closed), "shutdown");
            seen.after_shutdown = out.mode();
            seen.write_after_shutdown = co_await out.write(bytes_of("more"));
        }());
        seen.nonblocking_after = nonblocking(1);
    }
    write_end.reset(); // with fd 1 given back, the last write end: the reader sees the end
    const auto got = drained.get();
    CHECK(seen.mode == stdio_mode::readiness);
    REQUIRE(seen.wrote);
    CHECK(difference(got, data) == "");
    CHECK_FALSE(seen.nonblocking_before);
    CHECK_FALSE(seen.nonblocking_after);
    CHECK(seen.after_shutdown == stdio_mode::unavailable);
    check_fails_naming(seen.write_after_shutdown, std::errc::bad_file_descriptor,
                       "stdout was shut down");
}

TEST_CASE("stdin and stdout on sockets copy through without making the sockets non-blocking",
          "[io][stdio]") {
    eddy::runtime rt;
    const auto data = random_bytes(600 * 1024, 12); // more than the socket buffers hold
    auto in_pair = make_socketpair();
    unique_fd& in_near = in_pair.first;
    unique_fd& in_far = in_pair.second;
    auto out_pair = make_socketpair();
    unique_fd& out_near = out_pair.first;
    unique_fd& out_far = out_pair.second;
    ::fcntl(in_far.get(), F_SETFL, O_NONBLOCK); // the test's own end, for the feeding thread
    auto fed = feed(in_far.get(), data);
    auto drained = drain(out_far.get());
    struct {
        stdio_mode in_mode = stdio_mode::unavailable, out_mode = stdio_mode::unavailable;
        bool nonblocking_before = true, nonblocking_after = true;
        eddy::result<std::uint64_t> copied = std::uint64_t{0};
    } seen;
    {
        redirected in_socket(0, in_near.get());
        redirected out_socket(1, out_near.get());
        seen.nonblocking_before = nonblocking(0) || nonblocking(1);
        rt.block_on([&]() -> eddy::task<> {
            auto in = eddy::io::stdin();
            auto out = eddy::io::stdout();
            seen.in_mode = in.mode();
            seen.out_mode = out.mode();
            seen.copied = co_await eddy::timeout(patience, eddy::io::copy(in, out));
            co_await out.shutdown();
        }());
        seen.nonblocking_after = nonblocking(0) || nonblocking(1);
    }
    out_near.reset(); // the last holder of that socket's near end: the drain sees the end
    const bool fed_all = fed.get();
    const auto got = drained.get();
    CHECK(seen.in_mode == stdio_mode::socket);
    CHECK(seen.out_mode == stdio_mode::socket);
    CHECK(fed_all);
    REQUIRE(seen.copied);
    CHECK(*seen.copied == data.size());
    CHECK(difference(got, data) == "");
    CHECK_FALSE(seen.nonblocking_before);
    CHECK_FALSE(seen.nonblocking_after);
}

TEST_CASE("regular files on stdin and stdout go through the blocking pool in bounded chunks "
          "and share the file offset",
          "[io][stdio]") {
    eddy::runtime rt;
    const auto data = random_bytes(200 * 1024, 13);
    temp_file source(data);
    temp_file target;
    auto source_fd = source.open(O_RDONLY);
    auto target_fd = target.open(O_WRONLY | O_TRUNC);
    struct {
        stdio_mode in_mode = stdio_mode::unavailable, out_mode = stdio_mode::unavailable;
        eddy::result<std::size_t> first_read = std::size_t{0};
        eddy::result<std::uint64_t> copied = std::uint64_t{0};
        off_t in_offset = -1, out_offset = -1;
    } seen;
    {
        redirected in_file(0, source_fd.get());
        redirected out_file(1, target_fd.get());
        rt.block_on([&]() -> eddy::task<> {
            auto in = eddy::io::stdin();
            auto out = eddy::io::stdout();
            seen.in_mode = in.mode();
            seen.out_mode = out.mode();
            std::vector<std::byte> big(256 * 1024);
            seen.first_read = co_await eddy::timeout(patience, in.read(big));
            const std::size_t first = seen.first_read ? *seen.first_read : 0;
            auto head = co_await eddy::timeout(
                patience, eddy::io::write_all(out, std::span(big).first(first)));
            expect(std::move(head), "writing the first chunk");
            seen.copied = co_await eddy::timeout(patience, eddy::io::copy(in, out));
        }());
        seen.in_offset = ::lseek(0, 0, SEEK_CUR);
        seen.out_offset = ::lseek(1, 0, SEEK_CUR);
    }
    CHECK(seen.in_mode == stdio_mode::blocking_pool);
    CHECK(seen.out_mode == stdio_mode::blocking_pool);
    REQUIRE(seen.first_read);
    CHECK(*seen.first_read == 64 * 1024); // one chunk, however big the buffer
    REQUIRE(seen.copied);
    CHECK(*seen.copied == data.size() - 64 * 1024);
    CHECK(seen.in_offset == static_cast<off_t>(data.size()));
    CHECK(seen.out_offset == static_cast<off_t>(data.size()));
    CHECK(difference(target.content(), data) == "");
}

TEST_CASE("/dev/null on stdout, which epoll refuses, is written through the blocking pool",
          "[io][stdio]") {
    eddy::runtime rt;
    unique_fd null(::open("/dev/null", O_WRONLY | O_CLOEXEC));
    REQUIRE(null.get() >= 0);
    struct {
        stdio_mode mode = stdio_mode::unavailable;
        eddy::result<std::size_t> wrote = std::size_t{0};
    } seen;
    {
        redirected out_null(1, null.get());
        rt.block_on([&]() -> eddy::task<> {
            auto out = eddy::io::stdout();
            seen.mode = out.mode();
            seen.wrote = co_await eddy::timeout(patience, out.write(bytes_of("into the void")));
        }());
    }
    CHECK(seen.mode == stdio_mode::blocking_pool);
    REQUIRE(seen.wrote);
    CHECK(*seen.wrote == 13);
}

TEST_CASE("stderr on a pipe writes there", "[io][stdio]") {
    eddy::runtime rt;
    auto pipe_ends = make_pipe();
    unique_fd& read_end = pipe_ends.first;
    unique_fd& write_end = pipe_ends.second;
    auto drained = drain(read_end.get());
    eddy::result<void> wrote;
    stdio_mode mode = stdio_mode::unavailable;
    {
        redirected err_pipe(2, write_end.get());
        rt.block_on([&]() -> eddy::task<> {
            auto err = eddy::io::stderr();
            mode = err.mode();
            wrote = co_await eddy::timeout(patience, eddy::io::write_all(err, bytes_of("oops\n")));
        }());
    }
    write_end.reset();
    const auto got = drained.get();
    CHECK(mode == stdio_mode::readiness);
    REQUIRE(wrote);
    CHECK(text_of(got) == "oops\n");
}

TEST_CASE("a closed stdin gives an error that names it", "[io][stdio]") {
    eddy::runtime rt;
    stdio_mode mode = stdio_mode::readiness;
    eddy::result<std::size_t> read = std::size_t{0};
    {
        redirected closed(0, -1);
        rt.block_on([&]() -> eddy::task<> {
            auto in = eddy::io::stdin();
            mode = in.mode();
            std::array<std::byte, 16> buf{};
            read = co_await in.read(buf);
        }());
    }
    CHECK(mode == stdio_mode::unavailable);
    check_fails_naming(read, std::errc::bad_file_descriptor, "stdin (fd 0)");
}

TEST_CASE("lines from stdin go through a buffered stdout", "[io][stdio]") {
    eddy::runtime rt;
    auto in_ends = make_pipe();
    auto out_ends = make_pipe();
    unique_fd& in_write = in_ends.second;
    unique_fd& out_write = out_ends.second;
    auto drained = drain(out_ends.first.get());
    // Small enough for the pipe: written and closed before anything reads.
    if (::write(in_write.get(), "first\r\nsecond\nthird", 19) != 19) fail_errno("write");
    in_write.reset();
    eddy::result<std::size_t> count = std::size_t{0};
    {
        redirected in_pipe(0, in_ends.first.get());
        redirected out_pipe(1, out_write.get());
        in_ends.first.reset();
        count = rt.block_on([]() -> eddy::task<eddy::result<std::size_t>> {
            auto lines = eddy::io::lines(eddy::io::stdin(), 64);
            eddy::io::buffered_writer out(eddy::io::stdout());
            std::size_t n = 0;
            for (;; ++n) {
                auto line = co_await eddy::timeout(patience, lines.next());
                if (!line) co_return std::move(line).error();
                if (!*line) break;
                (*line)->insert(0, "> ").append("\n");
                auto wrote = co_await eddy::io::write_all(out, bytes_of(**line));
                if (!wrote) co_return std::move(wrote).error();
            }
            auto closed = co_await out.shutdown(); // flushes, then lets go of stdout
            if (!closed) co_return std::move(closed).error();
            co_return n;
        }());
    }
    out_write.reset();
    const auto got = drained.get();
    REQUIRE(count);
    CHECK(*count == 3);
    CHECK(text_of(got) == "> first\n> second\n> third\n");
}
