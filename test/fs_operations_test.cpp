#include "fs_test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <chrono>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <vector>

using namespace std::chrono_literals;
namespace fs = eddy::fs;
namespace stdfs = std::filesystem;
using Catch::Matchers::ContainsSubstring;
using namespace eddy_test;

namespace {

template <class T>
void check_names(const eddy::result<T>& r, const std::string& what, const std::string& path) {
    REQUIRE_FALSE(r);
    CHECK(mentions(r.error().message(), what));
    CHECK_THAT(r.error().message(), ContainsSubstring(path));
}

/// Runs `t` on a fresh runtime and gives its value.
template <class T> T run(eddy::task<T> t) {
    eddy::runtime rt;
    return rt.block_on(std::move(t));
}

} // namespace

EDDY_TEST_CASE("fs::write then fs::read and fs::read_to_string give the content back",
               "[fs][ops]") {
    temp_dir dir;
    // Bigger than max_chunk, so both take several hops to the pool.
    const auto big = random_bytes(fs::max_chunk * 2 + 777, 3);
    expect(co_await fs::write(dir / "big.bin", big), "write");
    auto back = expect(co_await fs::read(dir / "big.bin"), "read");
    CHECK(difference(back, big).empty());

    expect(co_await fs::write(dir / "text.txt", std::string_view("line one\nline two\n")), "write");
    auto text = expect(co_await fs::read_to_string(dir / "text.txt"), "read_to_string");
    CHECK(text == "line one\nline two\n");

    // Writing again replaces the content; an empty write leaves an empty file.
    expect(co_await fs::write(dir / "text.txt", std::string_view("short")), "write");
    text = expect(co_await fs::read_to_string(dir / "text.txt"), "read_to_string");
    CHECK(text == "short");
    expect(co_await fs::write(dir / "text.txt", std::string_view()), "write");
    auto empty = expect(co_await fs::read(dir / "text.txt"), "read");
    CHECK(empty.empty());
}

TEST_CASE("fs::read reads files whose size stat does not know", "[fs][ops]") {
    // /proc files say size 0 and still have content.
    auto status = run(fs::read_to_string("/proc/self/status"));
    REQUIRE(status);
    CHECK_THAT(*status, ContainsSubstring("Name:"));
}

TEST_CASE("fs::read, read_to_string and write fail naming the path", "[fs][ops]") {
    temp_dir dir;
    const auto missing = dir / "missing.txt";
    auto bytes = run(fs::read(missing));
    check_names(bytes, "no such file or directory", missing.string());
    auto text = run(fs::read_to_string(missing));
    check_names(text, "no such file or directory", missing.string());
    const auto nowhere = dir / "no-dir" / "x.txt";
    auto wrote = run(fs::write(nowhere, std::string_view("x")));
    check_names(wrote, "no such file or directory", nowhere.string());
    auto on_dir = run(fs::write(dir.path(), std::string_view("x")));
    check_names(on_dir, "is a directory", dir.path().string());
}

TEST_CASE("rename moves a file, and a failed rename names both paths", "[fs][ops]") {
    temp_dir dir;
    put_file(dir / "a.txt", bytes_of("content"));
    expect(run(fs::rename(dir / "a.txt", dir / "b.txt")), "rename");
    CHECK_FALSE(stdfs::exists(dir / "a.txt"));
    CHECK(file_text(dir / "b.txt") == "content");

    auto failed = run(fs::rename(dir / "a.txt", dir / "c.txt"));
    const std::string both = (dir / "a.txt").string() + " -> " + (dir / "c.txt").string();
    check_names(failed, "no such file or directory", both);
}

TEST_CASE("remove_file removes a file and fails on a directory or a missing path", "[fs][ops]") {
    temp_dir dir;
    put_file(dir / "f.txt", bytes_of("x"));
    expect(run(fs::remove_file(dir / "f.txt")), "remove_file");
    CHECK_FALSE(stdfs::exists(dir / "f.txt"));
    auto again = run(fs::remove_file(dir / "f.txt"));
    check_names(again, "no such file or directory", (dir / "f.txt").string());
    stdfs::create_directory(dir / "d");
    auto on_dir = run(fs::remove_file(dir / "d"));
    check_names(on_dir, "is a directory", (dir / "d").string());
}

EDDY_TEST_CASE("create_dir makes one directory and create_dir_all makes the parents too",
               "[fs][ops]") {
    temp_dir dir;
    expect(co_await fs::create_dir(dir / "one"), "create_dir");
    CHECK(stdfs::is_directory(dir / "one"));
    auto again = co_await fs::create_dir(dir / "one");
    check_names(again, "file exists", (dir / "one").string());
    auto deep = co_await fs::create_dir(dir / "x" / "y");
    check_names(deep, "no such file or directory", (dir / "x" / "y").string());

    expect(co_await fs::create_dir_all(dir / "x" / "y" / "z"), "create_dir_all");
    CHECK(stdfs::is_directory(dir / "x" / "y" / "z"));
    expect(co_await fs::create_dir_all(dir / "x" / "y" / "z"), "create_dir_all again");
    expect(co_await fs::create_dir_all(dir / "x" / "w/"), "create_dir_all, trailing slash");
    CHECK(stdfs::is_directory(dir / "x" / "w"));

    put_file(dir / "plain", bytes_of("x"));
    auto over_file = co_await fs::create_dir_all(dir / "plain");
    check_names(over_file, "file exists", (dir / "plain").string());
    auto under_file = co_await fs::create_dir_all(dir / "plain" / "sub");
    check_names(under_file, "not a directory", (dir / "plain" / "sub").string());
}

EDDY_TEST_CASE("remove_dir refuses a non-empty directory and remove_dir_all removes a tree",
               "[fs][ops]") {
    temp_dir dir;
    stdfs::create_directories(dir / "tree" / "a" / "b");
    put_file(dir / "tree" / "a" / "b" / "f.txt", bytes_of("x"));
    put_file(dir / "tree" / "g.txt", bytes_of("y"));
    stdfs::create_directory(dir / "kept");
    put_file(dir / "kept" / "k.txt", bytes_of("k"));
    stdfs::create_directory_symlink(dir / "kept", dir / "tree" / "link");
    auto full = co_await fs::remove_dir(dir / "tree");
    check_names(full, "directory not empty", (dir / "tree").string());
    CHECK(full.error() == std::errc::directory_not_empty);

    stdfs::create_directory(dir / "empty");
    expect(co_await fs::remove_dir(dir / "empty"), "remove_dir");
    CHECK_FALSE(stdfs::exists(dir / "empty"));

    expect(co_await fs::remove_dir_all(dir / "tree"), "remove_dir_all");
    CHECK_FALSE(stdfs::exists(dir / "tree"));
    // The link inside went, not what it pointed to.
    CHECK(file_text(dir / "kept" / "k.txt") == "k");

    stdfs::create_directory_symlink(dir / "kept", dir / "top-link");
    expect(co_await fs::remove_dir_all(dir / "top-link"), "remove_dir_all on a link");
    CHECK_FALSE(stdfs::exists(stdfs::symlink_status(dir / "top-link")));
    CHECK(stdfs::exists(dir / "kept" / "k.txt"));

    auto on_file = co_await fs::remove_dir_all(dir / "kept" / "k.txt");
    check_names(on_file, "not a directory", (dir / "kept" / "k.txt").string());
    auto missing = co_await fs::remove_dir_all(dir / "gone");
    check_names(missing, "no such file or directory", (dir / "gone").string());
}

EDDY_TEST_CASE("metadata follows symlinks and symlink_metadata does not", "[fs][ops]") {
    temp_dir dir;
    put_file(dir / "f.txt", bytes_of("12345"));
    stdfs::permissions(dir / "f.txt", stdfs::perms(0640));
    // Times far from now, so the check does not depend on the clock.
    const timespec times[2] = {{1'000'000'000, 250}, {1'200'000'000, 500}}; // atime, mtime
    REQUIRE(::utimensat(AT_FDCWD, (dir / "f.txt").c_str(), times, 0) == 0);
    stdfs::create_symlink(dir / "f.txt", dir / "link");
    auto m = expect(co_await fs::metadata(dir / "link"), "metadata");
    CHECK(m.is_file());
    CHECK_FALSE(m.is_symlink());
    CHECK(m.len() == 5);
    CHECK(m.permissions() == 0640);
    using namespace std::chrono;
    CHECK(m.accessed().time_since_epoch() == seconds(1'000'000'000) + nanoseconds(250));
    CHECK(m.modified().time_since_epoch() == seconds(1'200'000'000) + nanoseconds(500));

    auto l = expect(co_await fs::symlink_metadata(dir / "link"), "symlink_metadata");
    CHECK(l.is_symlink());
    CHECK_FALSE(l.is_file());
    CHECK(l.len() == (dir / "f.txt").string().size());

    auto d = expect(co_await fs::metadata(dir.path()), "metadata of a directory");
    CHECK(d.is_dir());
    CHECK(d.type() == stdfs::file_type::directory);

    auto missing = co_await fs::metadata(dir / "nope");
    check_names(missing, "no such file or directory", (dir / "nope").string());
    auto missing_link = co_await fs::symlink_metadata(dir / "nope");
    check_names(missing_link, "no such file or directory", (dir / "nope").string());
}

EDDY_TEST_CASE("canonicalize resolves dots and symlinks to an absolute path", "[fs][ops]") {
    temp_dir dir;
    stdfs::create_directories(dir / "a" / "b");
    put_file(dir / "a" / "b" / "f.txt", bytes_of("x"));
    stdfs::create_directory_symlink(dir / "a" / "b", dir / "via");
    const auto real = stdfs::canonical(dir / "a" / "b" / "f.txt");
    auto p = co_await fs::canonicalize(dir / "a" / "." / "b" / ".." / "b" / "f.txt");
    CHECK(p.value() == real);
    auto through = co_await fs::canonicalize(dir / "via" / "f.txt");
    CHECK(through.value() == real);
    CHECK(through->is_absolute());
    auto missing = co_await fs::canonicalize(dir / "a" / "nope");
    check_names(missing, "no such file or directory", (dir / "a" / "nope").string());
}

TEST_CASE("creating and reading where the user may not fails with permission denied", "[fs][ops]") {
    temp_dir dir;
    stdfs::create_directory(dir / "locked");
    stdfs::permissions(dir / "locked", stdfs::perms(0555));
    put_file(dir / "secret.txt", bytes_of("s"));
    stdfs::permissions(dir / "secret.txt", stdfs::perms::none);
    const auto inside = dir / "locked" / "new";
    const auto secret = dir / "secret.txt";
    const int code = as_unprivileged([&] {
        eddy::runtime rt;
        auto made = rt.block_on(fs::create_dir(inside));
        auto wrote = rt.block_on(fs::write(inside, std::string_view("x")));
        auto read = rt.block_on(fs::read(secret));
        const auto denied = [](const auto& r, const stdfs::path& p) {
            return !r && r.error() == std::errc::permission_denied &&
                   mentions(r.error().message(), "permission denied") &&
                   r.error().message().find(p.string()) != std::string::npos;
        };
        return denied(made, inside) && denied(wrote, inside) && denied(read, secret);
    });
    INFO("0: denied as expected, 1: not denied or not named, 3: could not drop root");
    CHECK(code == 0);
    CHECK_FALSE(stdfs::exists(inside));
}
