#include "eddy/fs/metadata.hpp"

namespace eddy::fs {
namespace {

std::filesystem::file_type type_of(mode_t mode) noexcept {
    using std::filesystem::file_type;
    switch (mode & S_IFMT) {
    case S_IFREG: return file_type::regular;
    case S_IFDIR: return file_type::directory;
    case S_IFLNK: return file_type::symlink;
    case S_IFBLK: return file_type::block;
    case S_IFCHR: return file_type::character;
    case S_IFIFO: return file_type::fifo;
    case S_IFSOCK: return file_type::socket;
    default: return file_type::unknown;
    }
}

file_metadata::time_point time_of(const timespec& ts) noexcept {
    const auto since_epoch = std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    return file_metadata::time_point(
        std::chrono::duration_cast<file_metadata::time_point::duration>(since_epoch));
}

} // namespace

file_metadata file_metadata::from_stat(const struct stat& st) noexcept {
    file_metadata m;
    m.len_ = static_cast<std::uint64_t>(st.st_size);
    m.type_ = type_of(st.st_mode);
    m.permissions_ = st.st_mode & 07777;
    m.modified_ = time_of(st.st_mtim);
    m.accessed_ = time_of(st.st_atim);
    return m;
}

} // namespace eddy::fs
