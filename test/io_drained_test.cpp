// An operation on a direction known drained (its last syscall said EAGAIN, or moved less than
// asked, and no event came since) parks without making the syscall: it could only fail with
// EAGAIN. Proven in a forked child whose core thread runs under a seccomp filter that makes
// recv and send fail with an error no socket gives: an operation that made the syscall ends
// with that error, one that did not times out.
#include "forked_child.hpp"
#include "test_support.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <iterator>

using namespace eddy_test;
using namespace std::chrono_literals;

namespace {

// What the filter makes a forbidden syscall fail with: no socket operation gives it.
constexpr int forbidden_errno = ENOTRECOVERABLE;
constexpr auto short_wait = 50ms;

/// From now on, syscall `nr` fails with `forbidden_errno` on this thread.
bool forbid_syscall(int nr) {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<unsigned>(nr), 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (forbidden_errno & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
    return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
           ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program) == 0;
}

bool made_the_syscall(const eddy::result<std::size_t>& r) {
    return !r && r.error().code().value() == forbidden_errno;
}
bool timed_out(const eddy::result<std::size_t>& r) {
    return !r && r.error() == eddy::errc::timed_out;
}

// The steps of a child; its exit code names the first that went wrong (0: none).
enum step : int {
    ok = 0,
    setup_failed,
    drained_read_made_syscall,
    ready_read_skipped_syscall,
    drained_write_made_syscall,
    ready_write_skipped_syscall,
};

/// Reads until a read moves less than asked (the fd is then known drained), forbids recv,
/// and checks that a read waits without it until the peer writes.
template <class Stream> eddy::task<int> read_side(bool by_short_read) {
    auto [a, b] = co_await stream_pair<Stream>();
    std::array<std::byte, 64> buf{};
    if (by_short_read) {
        co_await write_text(a, "ten bytes!");
        auto got = co_await eddy::timeout(patience, b.read(buf));
        if (!got || *got != 10) co_return setup_failed;
    } else if (!timed_out(co_await eddy::timeout(short_wait, b.read(buf)))) {
        co_return setup_failed; // an empty socket: EAGAIN, then the read waited
    }
    if (!forbid_syscall(SYS_recvfrom)) co_return setup_failed;
    if (!timed_out(co_await eddy::timeout(short_wait, b.read(buf))))
        co_return drained_read_made_syscall;
    co_await write_text(a, "x"); // an event: the next read tries, and meets the filter
    if (!made_the_syscall(co_await eddy::timeout(patience, b.read(buf))))
        co_return ready_read_skipped_syscall;
    co_return ok;
}

/// Writes until the socket's buffer is full, forbids send, and checks that a write waits
/// without it until the peer reads.
template <class Stream> eddy::task<int> write_side() {
    auto [a, b] = co_await stream_pair<Stream>();
    std::array<std::byte, 64 * 1024> chunk{};
    for (;;) {
        auto n = co_await eddy::timeout(short_wait, a.write(chunk));
        if (timed_out(n)) break; // full: the write waited
        if (!n) co_return setup_failed;
    }
    if (!forbid_syscall(SYS_sendto)) co_return setup_failed;
    if (!timed_out(co_await eddy::timeout(short_wait, a.write(chunk))))
        co_return drained_write_made_syscall;
    // The peer reads (with read(2): recv is forbidden on this thread too): room again, an event.
    std::array<std::byte, 256 * 1024> sink{};
    for (int i = 0; i < 64; ++i)
        if (::read(b.native_handle(), sink.data(), sink.size()) <= 0) break;
    if (!made_the_syscall(co_await eddy::timeout(patience, a.write(chunk))))
        co_return ready_write_skipped_syscall;
    co_return ok;
}

template <class Make> int in_child_runtime(Make make) {
    const auto outcome = run_in_child([&] {
        eddy::runtime rt;
        return rt.block_on(make());
    });
    INFO("child stderr: " << outcome.stderr_text);
    REQUIRE(WIFEXITED(outcome.status));
    return WEXITSTATUS(outcome.status);
}

} // namespace

TEMPLATE_TEST_CASE("a read after EAGAIN waits for the reactor without calling recv again",
                   "[io][syscalls]", eddy::net::tcp_stream, eddy::net::unix_stream) {
    CHECK(in_child_runtime([] { return read_side<TestType>(false); }) == ok);
}

TEMPLATE_TEST_CASE("a read after a short read waits for the reactor without calling recv",
                   "[io][syscalls]", eddy::net::tcp_stream, eddy::net::unix_stream) {
    CHECK(in_child_runtime([] { return read_side<TestType>(true); }) == ok);
}

TEMPLATE_TEST_CASE("a write to a full socket waits for the reactor without calling send",
                   "[io][syscalls]", eddy::net::tcp_stream, eddy::net::unix_stream) {
    CHECK(in_child_runtime([] { return write_side<TestType>(); }) == ok);
}
