#include "fs_test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <map>
#include <optional>
#include <string>

using namespace std::chrono_literals;
namespace fs = eddy::fs;
namespace stdfs = std::filesystem;
using namespace eddy_test;

namespace {

/// 150 files and 50 directories (more than three batches), plus a symlink.
std::map<std::string, stdfs::file_type> populate(const temp_dir& dir) {
    std::map<std::string, stdfs::file_type> made;
    for (int i = 0; i < 150; ++i) {
        const auto name = "file-" + std::to_string(i);
        put_file(dir / name, bytes_of(name));
        made[name] = stdfs::file_type::regular;
    }
    for (int i = 0; i < 50; ++i) {
        const auto name = "dir-" + std::to_string(i);
        stdfs::create_directory(dir / name);
        made[name] = stdfs::file_type::directory;
    }
    stdfs::create_symlink("file-0", dir / "link");
    made["link"] = stdfs::file_type::symlink;
    return made;
}

} // namespace

EDDY_TEST_CASE("read_dir lists every entry once, with its name and kind, without . and ..",
               "[fs][read_dir]") {
    temp_dir dir;
    const auto made = populate(dir);
    auto reader = expect(co_await fs::read_dir(dir.path()), "read_dir");
    CHECK(reader.path() == dir.path());
    std::map<std::string, stdfs::file_type> seen;
    int duplicates = 0;
    for (;;) {
        auto entry = expect(co_await reader.next_entry(), "next_entry");
        if (!entry) break;
        CHECK(entry->path() == dir / entry->file_name());
        if (!seen.emplace(entry->file_name().string(), entry->type()).second) ++duplicates;
    }
    CHECK(duplicates == 0);
    CHECK(seen == made);
    // After the end, it stays at the end.
    auto after = expect(co_await reader.next_entry(), "next_entry");
    CHECK_FALSE(after);
}

EDDY_TEST_CASE("a dir_entry gives its kind and its own metadata, not its target's",
               "[fs][read_dir]") {
    temp_dir dir;
    put_file(dir / "f", bytes_of("four"));
    stdfs::create_directory(dir / "d");
    stdfs::create_symlink("f", dir / "l");
    auto reader = expect(co_await fs::read_dir(dir.path()), "read_dir");
    int checked = 0;
    for (;;) {
        auto entry = expect(co_await reader.next_entry(), "next_entry");
        if (!entry) break;
        auto m = expect(co_await entry->metadata(), "metadata");
        const auto name = entry->file_name().string();
        INFO(name);
        CHECK(m.type() == entry->type());
        if (name == "f") {
            CHECK((entry->is_file() && m.len() == 4));
        } else if (name == "d") {
            CHECK((entry->is_dir() && m.is_dir()));
        } else if (name == "l") {
            CHECK((entry->is_symlink() && m.is_symlink() && m.len() == 1));
        }
        ++checked;
    }
    CHECK(checked == 3);
}

EDDY_TEST_CASE("next_entry calls cancelled at once lose no entry", "[fs][read_dir]") {
    temp_dir dir;
    const auto made = populate(dir);
    auto reader = expect(co_await fs::read_dir(dir.path()), "read_dir");
    std::map<std::string, stdfs::file_type> seen;
    int cancelled = 0;
    for (int calls = 0; calls < 10'000; ++calls) {
        // Every other call gets no time: cancelled while the pool fetches its batch.
        eddy::result<std::optional<fs::dir_entry>> entry = eddy::errc::timed_out;
        if (calls % 2 == 0)
            entry = co_await eddy::timeout(0ms, reader.next_entry());
        else
            entry = co_await eddy::timeout(patience, reader.next_entry());
        if (!entry && entry.error() == eddy::errc::timed_out) {
            ++cancelled;
            continue;
        }
        auto next = expect(std::move(entry), "next_entry");
        if (!next) break;
        seen.emplace(next->file_name().string(), next->type());
    }
    CHECK(cancelled > 0);
    CHECK(seen == made);
}

TEST_CASE("read_dir of a missing path or of a file fails naming it", "[fs][read_dir]") {
    temp_dir dir;
    put_file(dir / "plain", bytes_of("x"));
    eddy::runtime rt;
    auto missing = rt.block_on(fs::read_dir(dir / "missing"));
    REQUIRE_FALSE(missing);
    CHECK(mentions(missing.error().message(), "no such file or directory"));
    CHECK(mentions(missing.error().message(), (dir / "missing").string()));
    auto file = rt.block_on(fs::read_dir(dir / "plain"));
    REQUIRE_FALSE(file);
    CHECK(mentions(file.error().message(), "not a directory"));
    CHECK(mentions(file.error().message(), (dir / "plain").string()));
}
