// What the standard-stream tests share: swapping a pipe, socket or file onto fd 0, 1 or 2
// and back (RAII), pipes and socket pairs, threads that drain or feed an fd with bounded
// waits, a watchdog that unblocks a core a broken implementation would block, and temp
// files.
//
//     auto ends = eddy_test::make_pipe();
//     { eddy_test::redirected out(1, ends.second.get()); /* no Catch2 output in here */ }
#pragma once

#include "test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <iterator>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace eddy_test {

using namespace std::chrono_literals;

[[noreturn]] inline void fail_errno(const std::string& what) {
    throw std::system_error(errno, std::system_category(), what);
}

/// Puts `replacement` on fd `target` (0, 1 or 2; a `replacement` of -1 closes it), and the
/// original back when destroyed.
class redirected {
  public:
    redirected(int target, int replacement) : target_(target), saved_(::dup(target)) {
        flush_std_streams();
        if (saved_ < 0) fail_errno("dup");
        if ((replacement < 0 ? ::close(target) : ::dup2(replacement, target)) < 0) {
            ::close(saved_);
            fail_errno("redirecting a standard fd");
        }
    }
    redirected(const redirected&) = delete;
    redirected& operator=(const redirected&) = delete;
    ~redirected() {
        flush_std_streams();
        ::dup2(saved_, target_);
        ::close(saved_);
    }

  private:
    // Nothing buffered before the swap may land in the test's pipe, nor the other way.
    static void flush_std_streams() {
        std::cout.flush();
        std::cerr.flush();
        std::fflush(nullptr);
    }
    int target_;
    int saved_;
};

/// Runs `rescue` on another thread if still alive after `limit`, so that a core blocked by a
/// broken implementation is unblocked (and the test fails) instead of hanging.
class watchdog {
  public:
    explicit watchdog(std::function<void()> rescue, std::chrono::milliseconds limit = patience)
        : thread_([this, rescue = std::move(rescue), limit] {
              std::unique_lock lock(mutex_);
              if (!woken_.wait_for(lock, limit, [this] { return done_; })) rescue();
          }) {}
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;
    ~watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        woken_.notify_one();
        thread_.join();
    }

  private:
    std::mutex mutex_;
    std::condition_variable woken_;
    bool done_ = false;
    std::thread thread_; // last: it uses the members above
};

/// A second write end of a pipe, for a watchdog: it writes "rescue" and closes it, unless
/// the test closed it first (whichever comes first does it; the other does nothing).
class rescue_end {
  public:
    explicit rescue_end(int write_end) : fd_(::dup(write_end)) {}
    rescue_end(const rescue_end&) = delete;
    rescue_end& operator=(const rescue_end&) = delete;
    ~rescue_end() { close(); }
    void close() noexcept {
        if (const int fd = fd_.exchange(-1); fd >= 0) ::close(fd);
    }
    void write_and_close() noexcept {
        if (const int fd = fd_.exchange(-1); fd >= 0) {
            (void)!::write(fd, "rescue", 6);
            ::close(fd);
        }
    }

  private:
    std::atomic<int> fd_;
};

inline std::pair<unique_fd, unique_fd> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) < 0) fail_errno("pipe2");
    return {unique_fd(fds[0]), unique_fd(fds[1])};
}

inline std::pair<unique_fd, unique_fd> make_socketpair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) fail_errno("socketpair");
    return {unique_fd(fds[0]), unique_fd(fds[1])};
}

inline bool nonblocking(int fd) {
    return ::fcntl(fd, F_GETFL) & O_NONBLOCK;
}

/// Waits (bounded) until `fd` is ready for `events`; false on timeout.
inline bool wait_for(int fd, short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, static_cast<int>(patience / 1ms)) == 1;
}

/// Reads `fd` on a thread until end of stream (or until nothing came for `patience`).
inline std::future<std::vector<std::byte>> drain(int fd) {
    return std::async(std::launch::async, [fd] {
        std::vector<std::byte> got;
        std::byte buf[16384];
        while (wait_for(fd, POLLIN)) {
            const ssize_t n = ::read(fd, buf, sizeof buf);
            if (n <= 0) break;
            got.insert(got.end(), buf, buf + n);
        }
        return got;
    });
}

/// Writes `data` to the non-blocking `fd` on a thread, then shuts its writing down.
inline std::future<bool> feed(int fd, std::vector<std::byte> data) {
    return std::async(std::launch::async, [fd, data = std::move(data)] {
        std::span<const std::byte> rest(data);
        while (!rest.empty()) {
            if (!wait_for(fd, POLLOUT)) return false;
            const ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
            if (n < 0 && errno != EAGAIN) return false;
            if (n > 0) rest = rest.subspan(static_cast<std::size_t>(n));
        }
        return ::shutdown(fd, SHUT_WR) == 0;
    });
}

/// A file under the temp dir with a unique name, removed at the end.
class temp_file {
  public:
    explicit temp_file(std::span<const std::byte> content = {})
        : path_(std::filesystem::temp_directory_path() /
                ("eddy-stdio-" + std::to_string(::getpid()) + "-" + std::to_string(++count_))) {
        std::ofstream(path_, std::ios::binary)
            .write(reinterpret_cast<const char*>(content.data()),
                   static_cast<std::streamsize>(content.size()));
    }
    temp_file(const temp_file&) = delete;
    temp_file& operator=(const temp_file&) = delete;
    ~temp_file() { std::filesystem::remove(path_); }

    unique_fd open(int flags) const {
        unique_fd fd(::open(path_.c_str(), flags | O_CLOEXEC));
        if (fd.get() < 0) fail_errno("open " + path_.string());
        return fd;
    }
    std::vector<std::byte> content() const {
        std::ifstream in(path_, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto bytes = bytes_of(text);
        return {bytes.begin(), bytes.end()};
    }

  private:
    static inline int count_ = 0;
    std::filesystem::path path_;
};

} // namespace eddy_test
