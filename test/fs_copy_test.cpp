#include "fs_test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <algorithm>
#include <atomic>
#include <string>
#include <vector>

using namespace std::chrono_literals;
namespace fs = eddy::fs;
namespace stdfs = std::filesystem;
using Catch::Matchers::ContainsSubstring;
using namespace eddy_test;

EDDY_TEST_CASE("fs::copy copies the content and permission bits and gives the byte count",
               "[fs][copy]") {
    temp_dir dir;
    const auto data = random_bytes(fs::max_chunk * 2 + 99, 5); // several hops
    put_file(dir / "from.bin", data);
    stdfs::permissions(dir / "from.bin", stdfs::perms(0640));
    put_file(dir / "existing.bin", bytes_of("longer old content that must go away"));
    auto n = co_await fs::copy(dir / "from.bin", dir / "to.bin");
    CHECK(n.value() == data.size());
    auto back = expect(co_await fs::read(dir / "to.bin"), "read");
    CHECK(difference(back, data).empty());
    auto m = expect(co_await fs::metadata(dir / "to.bin"), "metadata");
    CHECK(m.permissions() == 0640);

    // Over an existing file: replaced, not merged.
    put_file(dir / "small.txt", bytes_of("new"));
    auto small = co_await fs::copy(dir / "small.txt", dir / "existing.bin");
    CHECK(small.value() == 3);
    CHECK(file_text(dir / "existing.bin") == "new");

    put_file(dir / "empty", {});
    auto none = co_await fs::copy(dir / "empty", dir / "empty-copy");
    CHECK(none.value() == 0);
    CHECK(stdfs::file_size(dir / "empty-copy") == 0);
}

EDDY_TEST_CASE("fs::copy errors name both paths", "[fs][copy]") {
    temp_dir dir;
    put_file(dir / "a.txt", bytes_of("a"));
    const auto both = [&](const stdfs::path& from, const stdfs::path& to) {
        return from.string() + " -> " + to.string();
    };
    auto missing = co_await fs::copy(dir / "nope", dir / "b.txt");
    REQUIRE_FALSE(missing);
    CHECK(mentions(missing.error().message(), "no such file or directory"));
    CHECK_THAT(missing.error().message(), ContainsSubstring(both(dir / "nope", dir / "b.txt")));

    auto nowhere = co_await fs::copy(dir / "a.txt", dir / "no-dir" / "b.txt");
    REQUIRE_FALSE(nowhere);
    CHECK(mentions(nowhere.error().message(), "no such file or directory"));
    CHECK_THAT(nowhere.error().message(),
               ContainsSubstring(both(dir / "a.txt", dir / "no-dir" / "b.txt")));

    auto same = co_await fs::copy(dir / "a.txt", dir / "." / "a.txt");
    REQUIRE_FALSE(same);
    CHECK(same.error() == eddy::errc::invalid_argument);
    CHECK_THAT(same.error().message(), ContainsSubstring(both(dir / "a.txt", dir / "." / "a.txt")));
    CHECK(file_text(dir / "a.txt") == "a");

    auto from_dir = co_await fs::copy(dir.path(), dir / "c.txt");
    REQUIRE_FALSE(from_dir);
    CHECK(from_dir.error() == eddy::errc::invalid_argument);
    CHECK_THAT(from_dir.error().message(), ContainsSubstring(both(dir.path(), dir / "c.txt")));
}

namespace {

/// Sends the file through `out` and shuts `out` down: the bytes sent.
eddy::task<eddy::result<std::uint64_t>> send_file(stdfs::path p,
                                                  eddy::net::tcp_stream::write_half out) {
    auto f = co_await fs::file::open(p);
    if (!f) co_return std::move(f).error();
    auto sent = co_await eddy::io::copy(*f, out);
    if (!sent) co_return sent;
    if (auto down = co_await out.shutdown(); !down) co_return std::move(down).error();
    co_return sent;
}

/// Writes what `in` carries to a new file at `p`, until the end of the stream.
eddy::task<eddy::result<std::uint64_t>> receive_file(eddy::net::tcp_stream& in, stdfs::path p) {
    auto f = co_await fs::file::create(p);
    if (!f) co_return std::move(f).error();
    auto got = co_await eddy::io::copy(in, *f);
    co_return got;
}

} // namespace

TEST_CASE("a 64 MiB file goes file -> TCP -> file with io::copy, byte for byte",
          "[fs][copy][tcp]") {
    temp_dir dir;
    const auto data = random_bytes(64 * 1024 * 1024, 64);
    put_file(dir / "in.bin", data);
    eddy::runtime rt;
    rt.block_on([&]() -> eddy::task<> {
        auto [client, server] = co_await connected_pair();
        auto [client_rd, client_wr] = client.split();
        auto sender = scoped(eddy::spawn(send_file(dir / "in.bin", client_wr)));
        auto receiver = scoped(eddy::spawn(receive_file(server, dir / "out.bin")));
        // Generous: 8,192 hops to the pool, maybe on a loaded machine under ASan.
        auto sent = co_await joined(sender.handle(), 120s);
        auto received = co_await joined(receiver.handle(), 120s);
        CHECK(sent.value() == data.size());
        CHECK(received.value() == data.size());
    }());
    const auto out = file_text(dir / "out.bin");
    CHECK(difference(std::as_bytes(std::span(out)), data).empty());
}

namespace {

/// The i-th small file's name (appended: g++ 12 warns wrongly on "f" + std::to_string(i)).
std::string name_of(int i) {
    return std::string("f").append(std::to_string(i));
}

/// Content of the i-th small file: its own bytes and size.
std::vector<std::byte> content_of(int i) {
    return random_bytes(100 + static_cast<std::size_t>(i % 97) * 37, static_cast<std::uint64_t>(i));
}

/// Reads files first, first + step, ... below `count`: how many had the right content.
eddy::task<int> read_some(const temp_dir& dir, int first, int step, int count) {
    int right = 0;
    for (int i = first; i < count; i += step) {
        auto got = co_await fs::read(dir / name_of(i));
        if (got && difference(*got, content_of(i)).empty()) ++right;
    }
    co_return right;
}

/// Samples the process's thread count until `done`: the most it saw.
eddy::task<std::size_t> watch_threads(const std::atomic<bool>& done) {
    std::size_t most = 0;
    while (!done) {
        most = std::max(most, thread_count());
        co_await eddy::sleep_for(1ms);
    }
    co_return most;
}

} // namespace

TEST_CASE("1,000 files read by 8 tasks at once all come back right, within the pool's size",
          "[fs][copy][pool]") {
    constexpr int files = 1000;
    constexpr int tasks = 8;
    constexpr std::size_t pool = 3; // fewer threads than tasks, so jobs queue
    temp_dir dir;
    for (int i = 0; i < files; ++i)
        put_file(dir / name_of(i), content_of(i));

    eddy::runtime rt{{.blocking_threads = pool}};
    rt.block_on([&]() -> eddy::task<> {
        const std::size_t before = thread_count();
        std::atomic<bool> done{false};
        auto watcher = scoped(eddy::spawn(watch_threads(done)));
        std::vector<eddy::join_handle<int>> readers;
        for (int t = 0; t < tasks; ++t)
            readers.push_back(eddy::spawn(read_some(dir, t, tasks, files)));
        int right = 0;
        for (auto& r : readers)
            right += co_await joined(r, 60s);
        done = true;
        const std::size_t most = co_await joined(watcher.handle());
        CHECK(right == files);
        INFO("threads before: " << before << ", most while reading: " << most);
        CHECK(most > before);             // the pool did the reading
        CHECK(most <= before + pool + 1); // and stayed within its size (+1: a thread exiting)
    }());
}
