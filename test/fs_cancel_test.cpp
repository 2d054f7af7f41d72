// Cancelling file operations while their pool jobs run: the job must never touch the
// caller's buffer or a closed fd afterwards, and the file's position must stay right. A FIFO
// makes a pool job block in read(2) for as long as the test wants.
#include "fs_test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <array>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <vector>

using namespace std::chrono_literals;
namespace fs = eddy::fs;
using namespace eddy_test;

namespace {

/// A FIFO in `dir` with a writer, and a reader that never reads (so writing never raises
/// SIGPIPE). The guard writes to the FIFO when it goes, so that a pool job still blocked
/// reading it ends and the runtime can shut down.
class fifo {
  public:
    explicit fifo(const temp_dir& dir) : path_(dir / "fifo") {
        REQUIRE(::mkfifo(path_.c_str(), 0600) == 0);
        idle_reader_ = unique_fd(::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        writer_ = unique_fd(::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
        REQUIRE(idle_reader_.get() >= 0);
        REQUIRE(writer_.get() >= 0);
    }
    fifo(const fifo&) = delete;
    fifo& operator=(const fifo&) = delete;
    ~fifo() { feed(); }

    const std::filesystem::path& path() const noexcept { return path_; }
    void feed() { (void)!::write(writer_.get(), "wake up", 7); }

  private:
    std::filesystem::path path_;
    unique_fd idle_reader_;
    unique_fd writer_;
};

bool fd_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

/// Reads into `buf` (which the test owns and frees) until aborted.
eddy::task<eddy::result<std::size_t>> read_into(fs::file& f, std::array<std::byte, 64>& buf) {
    auto n = co_await f.read(buf);
    co_return n;
}

} // namespace

TEST_CASE("a file read aborted while its pool job blocks leaves the buffer and the fd alone",
          "[fs][cancel]") {
    temp_dir dir;
    eddy::runtime rt;
    fifo pipe(dir); // after the runtime: feeds a blocked job before the runtime waits for it
    rt.block_on([&]() -> eddy::task<> {
        auto f = std::make_unique<fs::file>(
            expect(co_await fs::file::open(pipe.path(), {.read = true, .write = true}), "open"));
        const int fd = f->native_handle();
        auto buf = std::make_unique<std::array<std::byte, 64>>();
        auto reader = eddy::spawn(read_into(*f, *buf));
        const bool blocked = co_await eventually([&] { return blocked_in_read(fd); });
        REQUIRE(blocked);

        reader.abort();
        buf.reset();
        f.reset();
        // The job still reads: it holds the fd open, and the bytes go to its own buffer (ASan
        // would report a write to the freed one).
        CHECK(fd_open(fd));
        CHECK(blocked_in_read(fd));
        pipe.feed();
        const bool closed = co_await eventually([&] { return !fd_open(fd); });
        CHECK(closed);
        auto outcome = co_await reader;
        CHECK(outcome.error() == eddy::errc::operation_canceled);
    }());
}

TEST_CASE("a file read cancelled by timeout while its pool job blocks leaves the buffer and "
          "the fd alone",
          "[fs][cancel]") {
    temp_dir dir;
    eddy::runtime rt;
    fifo pipe(dir); // after the runtime: feeds a blocked job before the runtime waits for it
    rt.block_on([&]() -> eddy::task<> {
        auto f = std::make_unique<fs::file>(
            expect(co_await fs::file::open(pipe.path(), {.read = true, .write = true}), "open"));
        const int fd = f->native_handle();
        // A timeout that ends before the pool thread got to the job skips the job; try again
        // with more time until one ends while the job blocks in read.
        bool job_blocked = false;
        for (auto limit = 50ms; !job_blocked && limit <= 12800ms; limit *= 2) {
            auto buf = std::make_unique<std::array<std::byte, 64>>();
            auto n = co_await eddy::timeout(limit, f->read(*buf));
            REQUIRE_FALSE(n);
            CHECK(n.error() == eddy::errc::timed_out);
            buf.reset();
            job_blocked = co_await eventually([&] { return blocked_in_read(fd); }, 200ms);
        }
        REQUIRE(job_blocked);
        f.reset();
        CHECK(fd_open(fd));
        pipe.feed();
        const bool closed = co_await eventually([&] { return !fd_open(fd); });
        CHECK(closed);
    }());
}

TEST_CASE("reads of a regular file cancelled at once leave its bytes and its position right",
          "[fs][cancel]") {
    temp_dir dir;
    const auto p = dir / "data.bin";
    const auto data = random_bytes(fs::max_chunk * 3, 11);
    put_file(p, data);
    eddy::runtime rt;
    rt.block_on([&]() -> eddy::task<> {
        auto f = std::make_unique<fs::file>(expect(co_await fs::file::open(p), "open"));
        for (int round = 0; round < 20; ++round) {
            const auto before = f->position();
            auto buf = std::make_unique<std::vector<std::byte>>(fs::max_chunk / 4);
            // Zero time: usually cancelled while the job is queued or running, sometimes done.
            auto n = co_await eddy::timeout(0ms, f->read(*buf));
            if (n) {
                CHECK(f->position() == before + *n);
                const auto want = std::span(data).subspan(before, *n);
                CHECK(difference(std::span(*buf).first(*n), want).empty());
            } else {
                CHECK(n.error() == eddy::errc::timed_out);
                CHECK(f->position() == before);
            }
            buf.reset();
            if (f->position() + fs::max_chunk / 4 >= data.size())
                co_await f->seek(fs::seek_from::start(0));
        }
        // The position still says where the next read reads.
        const auto at = f->position();
        std::vector<std::byte> rest(data.size() - at);
        expect(co_await eddy::io::read_exact(*f, rest), "read_exact");
        CHECK(difference(rest, std::span(data).subspan(at)).empty());
        f.reset(); // jobs still queued or running keep their own share of the fd
    }());
}
