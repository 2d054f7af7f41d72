// What the fs tests share: a temporary directory removed at the end (also when a check
// fails), a way to run a check as a user whom file modes apply to (tests may run as root),
// a count of the process's threads, and a look at which thread is blocked in read(2).
//
//     temp_dir dir;                                        // /tmp/eddy-fs-XXXXXX, mode 0755
//     const int code = as_unprivileged([&] { return denied(dir / "secret"); });
//     CHECK(code == 0);
#pragma once

#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <grp.h>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace eddy_test {

/// A fresh directory under the system's temp directory, removed with all it holds when the
/// guard goes out of scope. Mode 0755, so a child process running as nobody can look in.
class temp_dir {
  public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "eddy-fs-XXXXXX").string();
        if (!::mkdtemp(pattern.data())) throw std::system_error(errno, std::system_category());
        path_ = pattern;
        std::filesystem::permissions(path_, std::filesystem::perms(0755));
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        // A directory a test made read-only would keep its entries otherwise (when not root).
        for (auto it = std::filesystem::recursive_directory_iterator(path_, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
            if (it->is_directory(ec) && !it->is_symlink(ec))
                std::filesystem::permissions(it->path(), std::filesystem::perms(0755), ec);
        std::filesystem::remove_all(path_, ec);
    }

    const std::filesystem::path& path() const noexcept { return path_; }
    std::filesystem::path operator/(const std::filesystem::path& name) const {
        return path_ / name;
    }

  private:
    std::filesystem::path path_;
};

/// Runs `check` (true: it saw what it expected) as a user whom file modes apply to: this
/// process when it is not root; otherwise a child that becomes nobody (65534) and reports
/// through its exit code. Gives 0 when the check held; 1 when it did not; 2 when it threw;
/// 3 when the child could not drop root; 4 when it did not end within `patience`.
/// `check` must not use Catch2 assertions (they would not reach the parent).
inline int as_unprivileged(const std::function<bool()>& check) {
    if (::geteuid() != 0) {
        try {
            return check() ? 0 : 1;
        } catch (...) {
            return 2;
        }
    }
    const pid_t pid = ::fork();
    if (pid < 0) return 3;
    if (pid == 0) {
        int code = 3;
        if (::setgroups(0, nullptr) == 0 && ::setgid(65534) == 0 && ::setuid(65534) == 0) {
            try {
                code = check() ? 0 : 1;
            } catch (...) {
                code = 2;
            }
        }
        ::_exit(code);
    }
    const auto deadline = std::chrono::steady_clock::now() + patience;
    int status = 0;
    while (::waitpid(pid, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
            return 4;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 2;
}

/// True when `message`, ignoring case, contains `part`.
inline bool mentions(std::string message, std::string_view part) {
    std::string wanted(part);
    for (auto* s : {&message, &wanted})
        for (auto& c : *s)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return message.find(wanted) != std::string::npos;
}

/// Threads the process has now.
inline std::size_t thread_count() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator("/proc/self/task"))
        ++n;
    return n;
}

/// True when some thread of this process is blocked in read(2) on `fd`.
inline bool blocked_in_read(int fd) {
    std::error_code ec;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task", ec)) {
        std::ifstream in(task.path() / "syscall");
        long number = -1;
        std::string first_arg;
        if (!(in >> number >> first_arg)) continue; // "running", or the thread is gone
        if (number == SYS_read && std::stol(first_arg, nullptr, 16) == fd) return true;
    }
    return false;
}

/// Writes `bytes` to a new file with plain calls (to set up a test).
inline void put_file(const std::filesystem::path& p, std::span<const std::byte> bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

/// The content of a file, read with plain calls (to check a test's outcome).
inline std::string file_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream all;
    all << in.rdbuf();
    return all.str();
}

} // namespace eddy_test
