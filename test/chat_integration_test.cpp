// Runs the real eddy-chat binary (chat_support.hpp) and talks to it over loopback: joins and
// leaves, fan-out, per-sender order, lines cut anywhere, over-long lines, a client that never
// reads, 500 clients, two cores, shutdown, and the command line.
#include "chat_support.hpp"
#include "child_process.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using Catch::Matchers::ContainsSubstring;
using eddy::net::socket_address;
using namespace eddy_test;

TEST_CASE("eddy-chat asks for a name and tells the others who joins and who leaves",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        auto alice = co_await chat_client::join(addr, "alice");
        auto bob = co_await chat_client::join(addr, "bob");
        auto got = co_await alice.line();
        CHECK(got == "bob has joined the chat");
        {
            auto carol = co_await chat_client::join(addr, "carol");
            got = co_await alice.line();
            CHECK(got == "carol has joined the chat");
            got = co_await bob.line();
            CHECK(got == "carol has joined the chat");
        } // carol's connection closes
        got = co_await alice.line();
        CHECK(got == "carol has left the chat");
        got = co_await bob.line();
        CHECK(got == "carol has left the chat");
        // Bob never got his own join: his next line is Alice's.
        co_await alice.send("hi bob\n");
        got = co_await bob.line();
        CHECK(got == "alice: hi bob");
    }(addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat --log-level debug logs on stderr and leaves stdout to its one line",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0", "--log-level", "debug"});
    const auto addr = start_chat(server);
    {
        eddy::runtime rt;
        rt.block_on([](socket_address addr) -> eddy::task<> {
            auto alice = co_await chat_client::join(addr, "alice");
            auto bob = co_await chat_client::join(addr, "bob");
            auto got = co_await alice.line(); // bob's join: the server has logged it by now
            CHECK(got == "bob has joined the chat");
        }(addr));
    }
    stop_and_expect_clean_exit(server, SIGTERM);
    const auto more = server.read_stdout_line(exit_limit);
    INFO("stdout after its first line: " << more.value_or("(nothing)"));
    CHECK_FALSE(more.has_value()); // stdout: "listening on ADDRESS", then nothing
    const std::string err = server.read_stderr_to_end(exit_limit);
    INFO("stderr: " << err);
    CHECK_THAT(err, ContainsSubstring("bob joined"));
}

TEST_CASE("eddy-chat sends a line to 19 other clients and never back to its sender",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        auto clients = co_await join_all(addr, "c", 20);
        co_await clients[0].send("hello from c0\n");
        for (std::size_t i = 1; i < clients.size(); ++i) {
            const auto got = co_await clients[i].chat_line();
            CHECK(got == "c0: hello from c0");
        }
        // Every other client has c0's line: had c0 been sent its own, it would have had it
        // before c1's.
        co_await clients[1].send("marker\n");
        const auto got = co_await clients[0].chat_line();
        CHECK(got == "c1: marker");
    }(addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat keeps each sender's order: 3 senders of 300 pipelined lines",
          "[integration][chat]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    child_process server({chat_binary(), "--listen", "127.0.0.1:0", "--threads", threads});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        constexpr int per_sender = 300;
        auto senders = co_await join_all(addr, "s", 3);
        auto readers = co_await join_all(addr, "r", 2);
        std::vector<eddy::join_handle<std::string>> checks;
        const abort_all_on_exit guard{checks}; // none outlives the clients it reads
        for (std::size_t i = 0; i < senders.size(); ++i) {
            std::vector<std::string> others;
            for (std::size_t j = 0; j < senders.size(); ++j)
                if (j != i) others.push_back(senders[j].name());
            checks.push_back(eddy::spawn(expect_in_order(senders[i], others, per_sender)));
        }
        for (auto& r : readers)
            checks.push_back(eddy::spawn(expect_in_order(r, {"s0", "s1", "s2"}, per_sender)));
        // Each sender's lines in one write: the server reads many lines at once.
        for (auto& s : senders) {
            std::string all;
            for (int n = 0; n < per_sender; ++n)
                all += std::to_string(n) + "\n";
            co_await s.send(all);
        }
        for (auto& check : checks) {
            auto outcome = co_await eddy::timeout(60s, join(check));
            REQUIRE(outcome);
            CHECK(*outcome == "");
        }
    }(addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat puts together lines cut across writes, splits several in one write, "
          "passes any bytes and drops a trailing CR",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        auto a = co_await chat_client::join(addr, "a");
        auto b = co_await chat_client::join(addr, "b");
        for (const char* piece : {"hel", "lo\nwor", "ld\nthree\nfour\n"}) {
            co_await a.send(piece);
            co_await eddy::sleep_for(30ms); // each piece on its own
        }
        for (const char* want : {"a: hello", "a: world", "a: three", "a: four"}) {
            const auto got = co_await b.chat_line();
            CHECK(got == want);
        }
        co_await a.send("caf\xc3\xa9 \xff\xfe\x80 raw\r\nmid\rdle\n");
        auto got = co_await b.chat_line();
        CHECK(got == "a: caf\xc3\xa9 \xff\xfe\x80 raw");
        got = co_await b.chat_line();
        CHECK(got == "a: mid\rdle");
    }(addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat drops a 1 MiB line and keeps its memory while a client streams "
          "without a newline",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](child_process& server, socket_address addr) -> eddy::task<> {
        auto a = co_await chat_client::join(addr, "a");
        auto b = co_await chat_client::join(addr, "b");
        const long before = resident_kib(server.pid());
        REQUIRE(before > 0);

        const std::string long_line(1 << 20, 'x');
        co_await a.send(long_line);
        co_await a.send("\nafter\n");
        auto got = co_await b.chat_line();
        CHECK(got == "a: after"); // the long line never came
        got = co_await a.chat_line();
        CHECK_THAT(got, ContainsSubstring("dropped") && ContainsSubstring("8192"));

        // 64 MiB with no newline at all, then a line.
        const std::string chunk(1 << 20, 'y');
        for (int i = 0; i < 64; ++i)
            co_await a.send(chunk);
        co_await a.send("\nstill here\n");
        got = co_await b.chat_line();
        CHECK(got == "a: still here");
        const long grown = resident_kib(server.pid()) - before;
        INFO("server memory grew by " << grown << " KiB");
        CHECK(grown < 32 * 1024);
    }(server, addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat disconnects a client that never reads, without holding up an active "
          "reader of 50,000 lines of 2 KB",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](child_process& server, socket_address addr) -> eddy::task<> {
        constexpr int count = 50'000;
        constexpr std::size_t size = 2048;
        // The sender stays at most `window` lines ahead of the reader, well under the
        // server's queue of 1024, so only the client that never reads fills its queue.
        constexpr int window = 256;
        auto silent = co_await chat_client::join(addr, "silent");
        auto reader = co_await chat_client::join(addr, "reader");
        auto sender = co_await chat_client::join(addr, "sender");
        const long before = resident_kib(server.pid());
        REQUIRE(before > 0);

        auto [credit, credits] = eddy::sync::mpsc::channel<int>(window);
        for (int i = 0; i < window; ++i)
            (void)credit.try_send(1);
        scoped sending(eddy::spawn(send_with_credits(sender, count, size, credits)));
        scoped reading_task(eddy::spawn(read_with_credits(reader, "sender", count, size, credit)));
        const auto r = co_await joined(reading_task.handle(), 300s);
        CHECK(r.wrong == "");
        CHECK(r.received == count);
        INFO("longest pause between two lines: "
             << std::chrono::duration_cast<std::chrono::milliseconds>(r.longest_pause).count()
             << " ms");
        CHECK(r.longest_pause < 2s);
        CHECK(std::find(r.joins_and_leaves.begin(), r.joins_and_leaves.end(),
                        "silent has left the chat") != r.joins_and_leaves.end());
        const long grown = resident_kib(server.pid()) - before;
        INFO("server memory grew by " << grown << " KiB");
        CHECK(grown < 64 * 1024);

        // The server closed the silent client's connection: what is on the way, then the end.
        co_await lines_until_end(silent);
    }(server, addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat serves 500 clients that join one after the other", "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        constexpr int count = 500;
        auto clients = co_await join_all(addr, "c", count);
        co_await clients.back().send("hi all\n");
        // The first saw every other join; everyone but the last sees the line.
        int joins = 0;
        for (;;) {
            const auto got = co_await clients[0].line();
            if (got.ends_with(" has joined the chat")) {
                ++joins;
                continue;
            }
            CHECK(got == "c499: hi all");
            break;
        }
        CHECK(joins == count - 1);
        for (std::size_t i = 1; i + 1 < clients.size(); ++i) {
            const auto got = co_await clients[i].chat_line();
            CHECK(got == "c499: hi all");
        }
    }(addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat --threads 2: clients on both cores see each other's lines",
          "[integration][chat]") {
    child_process server({chat_binary(), "--listen", "127.0.0.1:0", "--threads", "2"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](socket_address addr) -> eddy::task<> {
        // SO_REUSEPORT spreads connections over both cores' listeners by their ports: with 16
        // clients, all on one core would be a 1 in 32,768 chance.
        constexpr int count = 16;
        auto clients = co_await join_all(addr, "c", count);
        for (auto& c : clients) {
            const std::string text = "from " + c.name() + "\n";
            co_await c.send(text);
        }
        for (auto& c : clients) {
            std::vector<std::string> got;
            for (int i = 0; i + 1 < count; ++i) {
                auto line = co_await c.chat_line();
                got.push_back(std::move(line));
            }
            std::vector<std::string> want;
            for (const auto& other : clients)
                if (other.name() != c.name())
                    want.push_back(other.name() + ": from " + other.name());
            std::sort(got.begin(), got.end());
            std::sort(want.begin(), want.end());
            CAPTURE(c.name());
            CHECK(got == want);
        }
    }(addr));
    stop_and_expect_clean_exit(server, SIGTERM);
}

TEST_CASE("eddy-chat on SIGTERM tells its clients it is shutting down and exits 0, though a "
          "client does not read",
          "[integration][chat]") {
    const std::string threads = GENERATE("1", "2");
    CAPTURE(threads);
    // A queue long enough that the client that does not read is not disconnected: the server
    // is still writing to it when the signal comes.
    child_process server(
        {chat_binary(), "--listen", "127.0.0.1:0", "--threads", threads, "--queue", "100000"});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](child_process& server, socket_address addr) -> eddy::task<> {
        constexpr int count = 3000;
        constexpr std::size_t size = 8000; // 24 MB: more than the socket buffers hold
        auto silent = co_await chat_client::join(addr, "silent");
        auto reader = co_await chat_client::join(addr, "reader");
        auto sender = co_await chat_client::join(addr, "sender");
        std::string all;
        for (int n = 0; n < count; ++n)
            all += numbered(n, size) + "\n";
        scoped sending(eddy::spawn(sender.send(all)));
        for (int n = 0; n < count; ++n) {
            const auto got = co_await reader.chat_line();
            if (got != "sender: " + numbered(n, size)) FAIL("line " << n << " is wrong");
        }

        REQUIRE(::kill(server.pid(), SIGTERM) == 0);
        const auto last = co_await lines_until_end(reader);
        REQUIRE_FALSE(last.empty());
        CHECK(last.back() == "server is shutting down");
        const auto status = co_await exit_of(server);
        if (!status) FAIL("the server did not exit within the time limit after SIGTERM");
        if (how_it_ended(*status) != "exit code 0")
            FAIL(how_it_ended(*status) << "; its stderr: " << server.read_stderr_to_end(1s));
    }(server, addr));
}

TEST_CASE("eddy-chat exits 0 on SIGINT, SIGTERM and SIGHUP, also right after it says it is "
          "listening",
          "[integration][chat]") {
    const int sig = GENERATE(SIGINT, SIGTERM, SIGHUP);
    const std::string threads = GENERATE("1", "2");
    CAPTURE(sig, threads);
    for (int start = 0; start < 3; ++start) {
        child_process server({chat_binary(), "--listen", "127.0.0.1:0", "--threads", threads});
        (void)start_chat(server);
        stop_and_expect_clean_exit(server, sig);
    }
    // And with a client connected, which is told.
    child_process server({chat_binary(), "--listen", "127.0.0.1:0", "--threads", threads});
    const auto addr = start_chat(server);
    eddy::runtime rt;
    rt.block_on([](child_process& server, socket_address addr, int sig) -> eddy::task<> {
        auto c = co_await chat_client::join(addr, "a");
        REQUIRE(::kill(server.pid(), sig) == 0);
        const auto last = co_await lines_until_end(c);
        CHECK(last == std::vector<std::string>{"server is shutting down"});
        const auto status = co_await exit_of(server);
        if (!status) FAIL("the server did not exit within the time limit after the signal");
        if (how_it_ended(*status) != "exit code 0")
            FAIL(how_it_ended(*status) << "; its stderr: " << server.read_stderr_to_end(1s));
    }(server, addr, sig));
}

TEST_CASE("eddy-chat rejects bad arguments with one line on stderr", "[integration][chat]") {
    struct bad_case {
        std::vector<std::string> args;
        std::string names; // what the message must mention
    };
    const auto c = GENERATE(values<bad_case>({
        {{"--listen", "127.0.0.1:0", "--max-line", "abc"}, "--max-line"},
        {{"--listen", "127.0.0.1:0", "--max-line", "-5"}, "--max-line"},
        {{"--listen", "127.0.0.1:0", "--max-line", "0"}, "--max-line"},
        {{"--listen", "127.0.0.1:0", "--queue", "0"}, "--queue"},
        {{"--listen", "127.0.0.1:0", "--queue", "many"}, "--queue"},
        {{"--listen", "127.0.0.1:0", "--threads", "-1"}, "--threads"},
        {{}, "--listen"},
        {{"--listen", "nonsense"}, "nonsense"},
        {{"--listen", "127.0.0.1:99999"}, "127.0.0.1:99999"},
    }));
    std::vector<std::string> args{chat_binary()};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CAPTURE(c.args);

    child_process server(args);
    const std::string err = stderr_of_failed_start(server, "a bad argument");
    INFO("stderr: " << err);
    CHECK_THAT(err, ContainsSubstring(c.names));
    CHECK_FALSE(server.read_stdout_line(0ms).has_value()); // it never said it was listening
}

TEST_CASE("eddy-chat --help says how long lines and full queues are handled, and exits 0",
          "[integration][chat]") {
    child_process help({chat_binary(), "--help"});
    std::string text;
    while (auto line = help.read_stdout_line(exit_limit))
        text += *line + "\n";
    const auto status = help.wait_exit(exit_limit);
    REQUIRE(status);
    CHECK(how_it_ended(*status) == "exit code 0");
    CHECK_THAT(text, ContainsSubstring("--max-line") && ContainsSubstring("dropped") &&
                         ContainsSubstring("--queue") && ContainsSubstring("disconnected"));
}
