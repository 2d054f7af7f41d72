#include "eddy/fs/read_dir.hpp"

#include "pool_call.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <sys/stat.h>
#include <vector>

namespace eddy::fs {

namespace detail {

/// An open DIR*, shared by the reader and the pool jobs listing it. Jobs take turns on the
/// DIR* (`listing_`) and leave what they found in `fetched_`, which the core collects: a
/// job whose caller was cancelled still hands its entries to the next call.
class dir_stream {
  public:
    dir_stream(DIR* dir, std::filesystem::path path) noexcept : dir_(dir), path_(std::move(path)) {}
    dir_stream(const dir_stream&) = delete;
    dir_stream& operator=(const dir_stream&) = delete;
    ~dir_stream() { ::closedir(dir_); }

    const std::filesystem::path& path() const noexcept { return path_; }

    /// On a pool thread: lists up to `read_dir_batch` entries; gives 0 or the errno.
    int fetch();

    /// On the core: moves the fetched entries to `out`; true once the listing has ended.
    bool collect(std::deque<dir_entry>& out) {
        std::lock_guard lock(fetched_mutex_);
        for (auto& e : fetched_)
            out.push_back(std::move(e));
        fetched_.clear();
        return ended_;
    }

  private:
    std::filesystem::file_type type_of(const dirent& d) const;

    DIR* dir_;
    const std::filesystem::path path_;
    std::mutex listing_;       // held by a pool job for the whole batch
    std::mutex fetched_mutex_; // held briefly, also by the core
    std::vector<dir_entry> fetched_;
    bool ended_ = false;
};

std::filesystem::file_type dir_stream::type_of(const dirent& d) const {
    using std::filesystem::file_type;
    switch (d.d_type) {
    case DT_REG: return file_type::regular;
    case DT_DIR: return file_type::directory;
    case DT_LNK: return file_type::symlink;
    case DT_BLK: return file_type::block;
    case DT_CHR: return file_type::character;
    case DT_FIFO: return file_type::fifo;
    case DT_SOCK: return file_type::socket;
    default: break;
    }
    // The filesystem does not say (DT_UNKNOWN): ask, without following a link.
    struct stat st {};
    if (::fstatat(::dirfd(dir_), d.d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) return file_type::unknown;
    return file_metadata::from_stat(st).type();
}

int dir_stream::fetch() {
    std::lock_guard turn(listing_);
    std::vector<dir_entry> batch;
    batch.reserve(read_dir_batch);
    int err = 0;
    bool ended = false;
    while (batch.size() < read_dir_batch) {
        errno = 0;
        const dirent* d = ::readdir(dir_);
        if (!d) {
            err = errno;
            ended = err == 0;
            break;
        }
        if (std::strcmp(d->d_name, ".") == 0 || std::strcmp(d->d_name, "..") == 0) continue;
        batch.emplace_back(path_ / d->d_name, type_of(*d));
    }
    std::lock_guard lock(fetched_mutex_);
    for (auto& e : batch)
        fetched_.push_back(std::move(e));
    ended_ = ended_ || ended;
    return err;
}

} // namespace detail

dir_reader::dir_reader(std::shared_ptr<detail::dir_stream> stream) noexcept
    : stream_(std::move(stream)) {}
dir_reader::dir_reader(dir_reader&&) noexcept = default;
dir_reader& dir_reader::operator=(dir_reader&&) noexcept = default;
dir_reader::~dir_reader() = default;

const std::filesystem::path& dir_reader::path() const noexcept {
    return stream_->path();
}

task<result<std::optional<dir_entry>>> dir_reader::next_entry() {
    struct fetch_job {
        std::shared_ptr<detail::dir_stream> stream;
        int operator()() const { return stream->fetch(); }
    };
    if (ready_.empty() && !at_end_) at_end_ = stream_->collect(ready_);
    while (ready_.empty() && !at_end_) {
        fetch_job job{stream_};
        auto err = co_await detail::on_pool(std::move(job));
        at_end_ = stream_->collect(ready_);
        if (!err) co_return std::move(err).error();
        if (*err != 0) co_return detail::path_error(*err, stream_->path());
    }
    if (ready_.empty()) co_return std::optional<dir_entry>();
    std::optional<dir_entry> next(std::move(ready_.front()));
    ready_.pop_front();
    co_return next;
}

task<result<dir_reader>> read_dir(std::filesystem::path path) {
    struct open_job {
        std::filesystem::path path;
        // A shared_ptr from the start, so a cancelled call's DIR* is closed with the job.
        std::pair<std::shared_ptr<detail::dir_stream>, int> operator()() const {
            DIR* dir = ::opendir(path.c_str());
            if (!dir) return {nullptr, errno};
            return {std::make_shared<detail::dir_stream>(dir, path), 0};
        }
    };
    open_job job{path};
    auto done = co_await detail::on_pool(std::move(job));
    if (!done) co_return std::move(done).error();
    if (!done->first) co_return detail::path_error(done->second, path);
    co_return dir_reader(std::move(done->first));
}

task<result<file_metadata>> dir_entry::metadata() const {
    auto m = co_await detail::stat_path(path_, false);
    co_return m;
}

} // namespace eddy::fs
