// The file a server's Unix socket was bound to, removed when the server stops. A socket file
// outlives its listener (as in Tokio), so a server that does not remove it leaves the path
// taken for the next start. An @abstract name has no file.
//
//     const eddy::samples::socket_file file(listener.local_addr().value());
#pragma once

#include "eddy/eddy.hpp"

#include <spdlog/spdlog.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace eddy::samples {

/// Removes, on destruction, the file `addr` names, unless someone replaced it meanwhile (it
/// is then someone else's socket, or no socket at all).
class socket_file {
  public:
    explicit socket_file(const eddy::net::unix_address& addr) {
        struct stat st {};
        if (!addr.is_path() || ::stat(std::string(addr.name()).c_str(), &st) != 0) return;
        path_ = addr.name();
        device_ = st.st_dev;
        inode_ = st.st_ino;
    }
    socket_file(const socket_file&) = delete;
    socket_file& operator=(const socket_file&) = delete;
    ~socket_file() {
        struct stat st {};
        if (path_.empty() || ::stat(path_.c_str(), &st) != 0) return;
        if (st.st_dev == device_ && st.st_ino == inode_ && ::unlink(path_.c_str()) != 0)
            spdlog::warn("cannot remove {}: {}", path_, eddy::error::from_errno(errno).message());
    }

  private:
    std::string path_;
    dev_t device_{};
    ino_t inode_{};
};

} // namespace eddy::samples
