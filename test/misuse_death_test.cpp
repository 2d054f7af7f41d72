// Programmer errors that would otherwise corrupt a core silently stop the program with a
// clear message in every build: a socket (or a join handle) used from another core than its
// own, or after its runtime is gone, and two operations waiting in the same direction on one
// socket. Each runs in a forked child.
#include "forked_child.hpp"
#include "test_support.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <optional>
#include <string>
#include <utility>

using eddy::net::tcp_stream;
using namespace eddy_test;

namespace {

void check_aborted_saying(const child_outcome& d, const std::string& words) {
    CHECK(WIFSIGNALED(d.status));
    if (WIFSIGNALED(d.status)) CHECK(WTERMSIG(d.status) == SIGABRT);
    CHECK_THAT(d.stderr_text, Catch::Matchers::ContainsSubstring(words));
}

} // namespace

TEST_CASE("a stream read from another core than its own stops the program, naming both cores",
          "[runtime][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt{{.cores = 2}};
        rt.block_on([]() -> eddy::task<> {
            auto [client, server] = co_await connected_pair();
            co_await write_text(server, "x");
            co_await eddy::on(1);
            std::array<std::byte, 4> buf{};
            (void)co_await client.read(buf); // client belongs to core 0
            co_await eddy::on(0);
        }());
    });
    check_aborted_saying(d, "a socket of core 0 was used from core 1");
}

TEST_CASE("a second read waiting on one stream stops the program", "[runtime][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt;
        rt.block_on([]() -> eddy::task<> {
            auto [client, server] = co_await connected_pair();
            auto read_one = [](tcp_stream* s) -> eddy::task<> {
                std::array<std::byte, 4> buf{};
                (void)co_await s->read(buf);
            };
            auto first = eddy::spawn(read_one(&client));
            auto second = eddy::spawn(read_one(&client));
            co_await eddy::sleep_for(std::chrono::milliseconds(50));
        }());
    });
    check_aborted_saying(d, "two operations read from one socket at once");
}

TEST_CASE("a task that ends on another core holding a socket of its home stops the program "
          "when the socket closes",
          "[runtime][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt{{.cores = 2}};
        rt.block_on([]() -> eddy::task<> {
            auto [client, server] = co_await connected_pair();
            co_await eddy::on(1);
            co_return; // client and server close here, on core 1
        }());
    });
    check_aborted_saying(d, "a socket of core 0 was used from core 1");
}

TEST_CASE("a join handle dropped on another core than the one that spawned its task stops the "
          "program",
          "[runtime][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt{{.cores = 2}};
        rt.block_on([]() -> eddy::task<> {
            auto h = eddy::spawn(value_after(std::chrono::hours(1), 1));
            co_await eddy::on(1);
            h.detach();
        }());
    });
    check_aborted_saying(d, "a join handle of core 0 was used from core 1");
}

TEST_CASE("two tasks awaiting one join handle stop the program", "[runtime][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt{{.cores = 1}};
        rt.block_on([]() -> eddy::task<> {
            auto h = eddy::spawn(value_after(std::chrono::hours(1), 1));
            auto first = eddy::spawn([&h]() -> eddy::task<> { (void)co_await h; });
            co_await eddy::yield_now(); // the first waits
            (void)co_await h;
        }());
    });
    check_aborted_saying(d, "a join handle was awaited by two tasks at once");
}

TEST_CASE("a mutex guard used after a move stops the program", "[sync][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt{{.cores = 1}};
        rt.block_on([]() -> eddy::task<> {
            eddy::sync::mutex<int> m(5);
            auto guard = co_await m.lock();
            auto moved = std::move(guard);
            *guard = 6; // NOLINT: the misuse under test
        }());
    });
    check_aborted_saying(d, "a mutex guard was used after unlock() or a move");
}

TEST_CASE("a task group used on another core than its own stops the program", "[task][misuse]") {
    const auto d = run_in_child([] {
        eddy::runtime rt{{.cores = 2}};
        rt.block_on([]() -> eddy::task<> {
            eddy::task_group<int> group;
            group.spawn(value_after(std::chrono::hours(1), 1));
            co_await eddy::on(1);
            group.spawn(value_after(std::chrono::hours(1), 2));
        }());
    });
    check_aborted_saying(d, "a task group of core 0 was used from core 1");
}

TEST_CASE("a socket kept past its runtime and used in another stops the program",
          "[runtime][misuse]") {
    const auto d = run_in_child([] {
        std::optional<std::pair<eddy::net::unix_stream, eddy::net::unix_stream>> pair;
        {
            eddy::runtime first{{.cores = 1}};
            first.block_on([&]() -> eddy::task<> {
                pair.emplace(eddy::net::unix_stream::pair().value());
                co_return;
            }());
        }
        eddy::runtime second{{.cores = 1}};
        second.block_on([&]() -> eddy::task<> {
            std::array<std::byte, 4> buf{};
            (void)co_await pair->first.read(buf);
        }());
    });
    check_aborted_saying(d, "a socket was used after the runtime that made it was destroyed");
}

TEST_CASE("a watch sender kept past its runtime and borrowed in another stops the program, "
          "saying its runtime is gone",
          "[sync][misuse]") {
    const auto d = run_in_child([] {
        std::optional<eddy::sync::watch::sender<int>> tx;
        {
            eddy::runtime first{{.cores = 1}};
            first.block_on([&]() -> eddy::task<> {
                tx.emplace(eddy::sync::watch::channel<int>(1).first);
                co_return;
            }());
        }
        eddy::runtime second{{.cores = 1}};
        second.block_on([&]() -> eddy::task<> {
            (void)tx->borrow();
            co_return;
        }());
    });
    check_aborted_saying(d, "a watch sender's borrow of core 0 of a runtime that is gone was "
                            "used from core 0");
}
