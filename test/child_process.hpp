// A child process for the integration tests: the real sample binaries, started with their
// output on pipes (or stdin/stdout on files), stopped by their PID whatever the test does.
#pragma once

#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

extern char** environ;

namespace eddy_test {

using steady = std::chrono::steady_clock;

inline constexpr auto startup_limit = std::chrono::seconds(10);
inline constexpr auto exit_limit = std::chrono::seconds(10);

/// "exit code N" or "killed by signal N", from a waitpid status.
inline std::string how_it_ended(int status) {
    if (WIFEXITED(status)) return "exit code " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
    return "wait status " + std::to_string(status);
}

/// Where a child's stdin and stdout go: by default stdin is /dev/null and stdout a pipe the
/// test reads; a path redirects it to that file (stdout: created or truncated). An empty
/// `stdin_path` starts the child with fd 0 closed; `stdout_reader_gone` gives it a stdout
/// pipe whose read end is closed before it starts (a write there raises SIGPIPE).
struct child_stdio {
    std::string stdin_path = "/dev/null";
    std::string stdout_path;
    bool stdout_reader_gone = false;
};

/// A child process with its stdout and stderr on pipes. The destructor kills (SIGKILL) and
/// reaps it by its PID if it is still there, whatever the test did.
class child_process {
  public:
    explicit child_process(const std::vector<std::string>& args, const child_stdio& stdio = {}) {
        int out[2], err[2];
        REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
        stdout_ = unique_fd(out[0]);
        unique_fd out_w(out[1]);
        REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
        stderr_ = unique_fd(err[0]);
        unique_fd err_w(err[1]);

        if (stdio.stdout_reader_gone) stdout_.reset();

        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        if (stdio.stdin_path.empty())
            posix_spawn_file_actions_addclose(&actions, STDIN_FILENO);
        else
            posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, stdio.stdin_path.c_str(),
                                             O_RDONLY, 0);
        if (stdio.stdout_path.empty())
            posix_spawn_file_actions_adddup2(&actions, out_w.get(), STDOUT_FILENO);
        else
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdio.stdout_path.c_str(),
                                             O_WRONLY | O_CREAT | O_TRUNC, 0644);
        posix_spawn_file_actions_adddup2(&actions, err_w.get(), STDERR_FILENO);
        // The child starts with no signal blocked and default dispositions, whatever this
        // thread has.
        posix_spawnattr_t attr;
        posix_spawnattr_init(&attr);
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        const int rc = ::posix_spawn(&pid_, argv[0], &actions, &attr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
        if (rc != 0) pid_ = -1;
        REQUIRE(rc == 0);
    }
    child_process(const child_process&) = delete;
    child_process& operator=(const child_process&) = delete;
    ~child_process() {
        if (pid_ > 0 && !status_) {
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }

    pid_t pid() const noexcept { return pid_; }

    /// The next line on stdout (without its newline), or nothing if none comes in time.
    std::optional<std::string> read_stdout_line(steady::duration limit) {
        const auto deadline = steady::now() + limit;
        for (;;) {
            if (auto nl = stdout_text_.find('\n'); nl != std::string::npos) {
                std::string line = stdout_text_.substr(0, nl);
                stdout_text_.erase(0, nl + 1);
                return line;
            }
            if (!read_some(stdout_.get(), stdout_text_, deadline)) return std::nullopt;
        }
    }

    /// Everything the child writes to stderr until it closes it (bounded by `limit`).
    std::string read_stderr_to_end(steady::duration limit) {
        std::string text;
        const auto deadline = steady::now() + limit;
        while (read_some(stderr_.get(), text, deadline)) {
        }
        return text;
    }

    /// The exit status once the child has ended, or nothing if it is still running after
    /// `limit`.
    std::optional<int> wait_exit(steady::duration limit) {
        const auto deadline = steady::now() + limit;
        while (!status_) {
            int status = 0;
            const pid_t r = ::waitpid(pid_, &status, WNOHANG);
            if (r == pid_) {
                status_ = status;
                break;
            }
            if (r < 0 && errno != EINTR) FAIL("waitpid: " << std::strerror(errno));
            if (steady::now() >= deadline) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return status_;
    }

    /// Stops the child with `sig` and checks that it exits with code 0 in time; a child
    /// still running then is killed and the test fails.
    void stop_and_expect_clean_exit(int sig) {
        REQUIRE(::kill(pid_, sig) == 0);
        auto status = wait_exit(exit_limit);
        if (!status) FAIL("the server did not exit within the time limit after signal " << sig);
        CHECK(how_it_ended(*status) == "exit code 0");
    }

  private:
    /// Appends what `fd` has to `text`; false at end of file or once `deadline` passed.
    static bool read_some(int fd, std::string& text, steady::time_point deadline) {
        for (;;) {
            const auto left =
                std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now());
            if (left.count() <= 0) return false;
            pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
            const int ready =
                ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
            if (ready < 0 && errno != EINTR) return false;
            if (ready <= 0) continue;
            char buf[4096];
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return false;
            text.append(buf, static_cast<std::size_t>(n));
            return true;
        }
    }

    pid_t pid_ = -1;
    unique_fd stdout_, stderr_;
    std::string stdout_text_;
    std::optional<int> status_;
};

inline std::size_t count_lines(const std::string& text) {
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// Waits for a server that must fail to start (`why` says why) and gives what it wrote to
/// stderr, once checked that it exited with a non-zero code and wrote exactly one line there.
inline std::string stderr_of_failed_start(child_process& server, std::string_view why) {
    auto status = server.wait_exit(exit_limit);
    if (!status) FAIL("the program did not exit at once on " << why);
    const std::string err = server.read_stderr_to_end(exit_limit);
    INFO("stderr: " << err);
    const auto ended = how_it_ended(*status);
    CHECK(ended.starts_with("exit code "));
    CHECK(ended != "exit code 0");
    CHECK(count_lines(err) == 1);
    return err;
}

} // namespace eddy_test
