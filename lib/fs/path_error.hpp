// Errors of the fs operations, private to lib/fs: each names the path (or the two paths) it
// is about, as "no such file or directory: /etc/x".
#pragma once

#include "eddy/error.hpp"

#include <filesystem>
#include <string>
#include <utility>

namespace eddy::fs::detail {

/// The system error `err`, naming `path`.
inline error path_error(int err, const std::filesystem::path& path) {
    return error::from_errno(err, path.string());
}

/// `invalid_argument` naming `context` (a path) and why: "invalid argument: /x (why)".
inline error invalid(std::string context, const char* why) {
    context.append(" (").append(why).append(")");
    return error(errc::invalid_argument, std::move(context));
}

/// "FROM -> TO", for errors of operations on two paths.
inline std::string two_paths(const std::filesystem::path& from, const std::filesystem::path& to) {
    std::string both = from.string();
    both.append(" -> ").append(to.string());
    return both;
}

} // namespace eddy::fs::detail
