// Runs a piece of a test in a forked child, for what must not happen in the test process
// itself: a program stopped on purpose, or a seccomp filter that stays for the process's life.
#pragma once

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <string>
#include <type_traits>

namespace eddy_test {

struct child_outcome {
    int status = 0;          ///< as waitpid gives it
    std::string stderr_text; ///< everything the child wrote to stderr
};

/// True when the child stopped instead of ending normally: killed by a signal (abort's
/// SIGABRT), or exited non-zero, as abort() can end under ThreadSanitizer, which defers the
/// signal it raises (glibc's abort then leaves with _exit(127)).
inline bool stopped_abnormally(int status) noexcept {
    return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

/// Runs `body` in a forked child with stderr on a pipe. The child exits with what `body`
/// returns (an int), or 0 if it returns nothing.
template <class F> child_outcome run_in_child(F body) {
    int err[2];
    REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(err[1], STDERR_FILENO);
        if constexpr (std::is_void_v<decltype(body())>) {
            body();
            ::_exit(0);
        } else {
            ::_exit(body());
        }
    }
    ::close(err[1]);
    child_outcome outcome;
    std::array<char, 4096> buf;
    for (;;) {
        const ssize_t n = ::read(err[0], buf.data(), buf.size());
        if (n <= 0) break;
        outcome.stderr_text.append(buf.data(), static_cast<std::size_t>(n));
    }
    ::close(err[0]);
    REQUIRE(::waitpid(pid, &outcome.status, 0) == pid);
    return outcome;
}

} // namespace eddy_test
