// fs::read, fs::read_to_string and fs::write: whole files, moved in hops of at most
// `max_chunk` bytes. Between hops the state (fd, bytes) is handed back to the core, and a
// cancelled call leaves it to the job that holds it, which closes the fd.
#include "eddy/fs/file.hpp"
#include "eddy/fs/operations.hpp"

#include "eddy/detail/retry_on_eintr.hpp"
#include "eddy/detail/unique_fd.hpp"

#include "pool_call.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace eddy::fs {
namespace {

using detail::path_error;

using eddy::detail::retry_on_eintr;
using eddy::detail::unique_fd;

int open_retrying(const std::filesystem::path& path, int flags, mode_t mode = 0) {
    return retry_on_eintr([&] { return ::open(path.c_str(), flags | O_CLOEXEC, mode); });
}

template <class Buffer> void append(Buffer& to, const std::byte* from, std::size_t n) {
    const std::size_t old = to.size();
    to.resize(old + n);
    std::memcpy(to.data() + old, from, n);
}

/// A whole-file read under way.
template <class Buffer> struct reading {
    std::filesystem::path path;
    unique_fd fd;
    Buffer data;
    std::size_t expected = 0; // the size fstat gave, so the buffer is allocated once
    int error = 0;
    bool ended = false;

    /// One hop: opens the file if need be, then reads up to `max_chunk` bytes.
    void hop() {
        if (fd.get() < 0 && !open()) return;
        for (std::size_t budget = max_chunk; budget > 0 && !ended;) {
            ssize_t n;
            int err = 0;
            if (data.size() < expected) {
                const std::size_t want = std::min(expected - data.size(), budget);
                const std::size_t old = data.size();
                data.resize(old + want);
                n = retry_on_eintr([&] { return ::read(fd.get(), data.data() + old, want); });
                err = n < 0 ? errno : 0;
                data.resize(old + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
            } else {
                // At the size fstat gave: the end, unless the file grew (or stat lied, as in
                // /proc), so probe without growing the buffer.
                std::array<std::byte, 16 * 1024> probe;
                n = retry_on_eintr(
                    [&] { return ::read(fd.get(), probe.data(), std::min(probe.size(), budget)); });
                err = n < 0 ? errno : 0;
                if (n > 0) append(data, probe.data(), static_cast<std::size_t>(n));
            }
            if (err != 0) {
                error = err;
                return;
            }
            ended = n == 0;
            budget -= static_cast<std::size_t>(n);
        }
        if (ended) fd.close();
    }

    bool open() {
        fd.reset(open_retrying(path, O_RDONLY));
        if (fd.get() < 0) {
            error = errno;
            return false;
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
            expected = static_cast<std::size_t>(st.st_size);
            data.reserve(expected);
        }
        return true;
    }
};

template <class Buffer> task<result<Buffer>> read_whole(std::filesystem::path path) {
    auto state = std::make_unique<reading<Buffer>>();
    state->path = path;
    auto done = co_await detail::run_in_hops(std::move(state));
    if (!done) co_return std::move(done).error();
    if ((*done)->error != 0) co_return path_error((*done)->error, path);
    co_return std::move((*done)->data);
}

/// A whole-file write under way.
struct writing {
    std::filesystem::path path;
    unique_fd fd;
    std::vector<std::byte> data;
    std::size_t written = 0;
    int error = 0;
    bool ended = false;

    void hop() {
        if (fd.get() < 0) {
            fd.reset(open_retrying(path, O_WRONLY | O_CREAT | O_TRUNC, 0666));
            if (fd.get() < 0) {
                error = errno;
                return;
            }
        }
        for (std::size_t budget = max_chunk; budget > 0 && written < data.size();) {
            const std::size_t want = std::min(data.size() - written, budget);
            const ssize_t n =
                retry_on_eintr([&] { return ::write(fd.get(), data.data() + written, want); });
            if (n < 0) {
                error = errno;
                return;
            }
            written += static_cast<std::size_t>(n);
            budget -= static_cast<std::size_t>(n);
        }
        if (written == data.size()) {
            error = fd.close();
            ended = true;
        }
    }
};

} // namespace

task<result<std::vector<std::byte>>> read(std::filesystem::path path) {
    auto bytes = co_await read_whole<std::vector<std::byte>>(std::move(path));
    co_return bytes;
}

task<result<std::string>> read_to_string(std::filesystem::path path) {
    auto text = co_await read_whole<std::string>(std::move(path));
    co_return text;
}

task<result<void>> write(std::filesystem::path path, std::span<const std::byte> data) {
    auto state = std::make_unique<writing>();
    state->path = path;
    state->data.assign(data.begin(), data.end()); // the caller's bytes may go if cancelled
    auto done = co_await detail::run_in_hops(std::move(state));
    if (!done) co_return std::move(done).error();
    if ((*done)->error != 0) co_return path_error((*done)->error, path);
    co_return ok();
}

task<result<void>> write(std::filesystem::path path, std::string_view text) {
    auto done = co_await write(std::move(path), std::as_bytes(std::span(text.data(), text.size())));
    co_return done;
}

} // namespace eddy::fs
