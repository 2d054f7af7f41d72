// The real eddy-chat binary for the integration tests (its path comes from the EDDY_CHAT
// environment variable, which test/meson.build sets), and a chat client that talks to it.
//
//     child_process server({chat_binary(), "--listen", "127.0.0.1:0"});
//     const auto addr = start_chat(server);
//     auto alice = co_await chat_client::join(addr, "alice");   // prompt read, name sent
//     co_await alice.send("hello\n");
//     const auto line = co_await bob.chat_line();                // "alice: hello"
//
// Also the tasks several tests run: joining many clients, checking each sender's order,
// a sender kept a window ahead of its reader, and waiting for the server to exit.
#pragma once

#include "child_process.hpp"
#include "test_support.hpp"

#include "eddy/eddy.hpp"
#include "eddy/sync/mpsc.hpp"

#include <catch2/catch_test_macros.hpp>

#include <signal.h>
#include <sys/types.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy_test {

/// ASan sets freed memory aside (256 MiB by default) to catch a use after free: in the
/// sanitized build, growth the memory checks would blame on the server. The servers the tests
/// start get a smaller quarantine (still catching what is used soon after being freed).
inline void keep_sanitizer_quarantine_small() {
    std::string options = std::getenv("ASAN_OPTIONS") ? std::getenv("ASAN_OPTIONS") : "";
    if (options.find("quarantine_size_mb") != std::string::npos) return;
    options += options.empty() ? "quarantine_size_mb=16" : ":quarantine_size_mb=16";
    ::setenv("ASAN_OPTIONS", options.c_str(), 1);
}

/// The binary's path; also sets what the servers the tests start get in their environment.
inline std::string chat_binary() {
    keep_sanitizer_quarantine_small();
    const char* path = std::getenv("EDDY_CHAT");
    if (!path || !*path) FAIL("EDDY_CHAT is not set: run this test through meson test");
    return path;
}

/// Waits for a started eddy-chat's "listening on ADDRESS" line and gives the address.
inline eddy::net::socket_address start_chat(child_process& server) {
    auto line = server.read_stdout_line(startup_limit);
    if (!line) FAIL("eddy-chat printed no line within the time limit");
    const std::string prefix = "listening on ";
    INFO("first line: " << *line);
    REQUIRE(line->starts_with(prefix));
    auto addr = eddy::net::socket_address::parse(line->substr(prefix.size()));
    REQUIRE(addr);
    return *addr;
}

/// The resident memory of process `pid`, in KiB (VmRSS), or -1.
inline long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);)
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

/// Stops the server with `sig` and checks that it exits with code 0 in time; if it does not,
/// the failure shows what it wrote on stderr.
inline void stop_and_expect_clean_exit(child_process& server, int sig) {
    REQUIRE(::kill(server.pid(), sig) == 0);
    const auto status = server.wait_exit(exit_limit);
    if (!status) FAIL("the server did not exit within the time limit after signal " << sig);
    const auto ended = how_it_ended(*status);
    if (ended != "exit code 0") FAIL(ended << "; its stderr: " << server.read_stderr_to_end(1s));
}

/// True for the lines the server makes itself when someone joins or leaves.
inline bool is_join_or_leave(std::string_view line) {
    return line.ends_with(" has joined the chat") || line.ends_with(" has left the chat");
}

/// One chat client: a stream and a line reader over it. Reading (`line`, `chat_line`) and
/// writing (`send`) may go on at once in two tasks.
class chat_client {
  public:
    /// The longest line the client accepts from the server.
    static constexpr std::size_t max_line = 1 << 20;

    /// Connects, checks that the first line asks for a username, and answers `name`.
    static eddy::task<chat_client> join(eddy::net::socket_address addr, std::string name) {
        auto s = expect(co_await eddy::timeout(patience, eddy::net::tcp_stream::connect(addr)),
                        "connect");
        (void)s.set_nodelay(true);
        chat_client c(std::move(s), std::move(name));
        const auto prompt = co_await c.line();
        if (prompt.find("username") == std::string::npos)
            throw std::runtime_error("the first line does not ask for a username: " + prompt);
        const std::string answer = c.name_ + "\n";
        co_await c.send(answer);
        co_return c;
    }

    const std::string& name() const noexcept { return name_; }
    eddy::net::tcp_stream& stream() noexcept { return lines_.reader().get_ref(); }

    /// Writes `text` as it is; throws if that fails or takes longer than `patience`.
    eddy::task<> send(std::string_view text) { co_await write_text(stream(), text); }

    /// The next line from the server, without its newline; nothing at the end of the
    /// stream. Throws on an error or if none comes within `limit`.
    eddy::task<std::optional<std::string>> next(std::chrono::milliseconds limit = patience) {
        auto got = co_await eddy::timeout(limit, lines_.next());
        if (!got)
            throw std::runtime_error(name_ + ": no line from the server: " + got.error().message());
        co_return std::move(*got);
    }
    /// The next line; throws at the end of the stream too.
    eddy::task<std::string> line(std::chrono::milliseconds limit = patience) {
        auto got = co_await next(limit);
        if (!got) throw std::runtime_error(name_ + ": the server closed the connection");
        co_return std::move(*got);
    }
    /// The next line that is not a join or a leave.
    eddy::task<std::string> chat_line(std::chrono::milliseconds limit = patience) {
        for (;;) {
            auto got = co_await line(limit);
            if (!is_join_or_leave(got)) co_return got;
        }
    }

  private:
    chat_client(eddy::net::tcp_stream s, std::string name)
        : name_(std::move(name)), lines_(std::move(s), max_line) {}

    std::string name_;
    eddy::io::line_reader<eddy::net::tcp_stream> lines_;
};

// --- what several tests do ---------------------------------------------------------------

/// Clients PREFIX0 ... PREFIX(count-1), joined one after the other.
inline eddy::task<std::vector<chat_client>> join_all(eddy::net::socket_address addr,
                                                     std::string prefix, int count) {
    std::vector<chat_client> clients;
    clients.reserve(static_cast<std::size_t>(count));
    for (int i = 0; i < count; ++i) {
        const std::string name = prefix + std::to_string(i);
        auto c = co_await chat_client::join(addr, name);
        clients.push_back(std::move(c));
    }
    co_return clients;
}

/// Reads chat lines until it has `per_sender` lines "NAME: N" from each of `senders`, with N
/// counting up from 0 for each; gives "" or what went wrong (a line from anyone else, the
/// client's own included, or one out of order).
inline eddy::task<std::string> expect_in_order(chat_client& c, std::vector<std::string> senders,
                                               int per_sender) {
    std::map<std::string, int> next;
    for (const auto& s : senders)
        next[s] = 0;
    for (std::size_t left = senders.size() * static_cast<std::size_t>(per_sender); left > 0;
         --left) {
        const auto line = co_await c.chat_line();
        const auto colon = line.find(": ");
        const auto from = next.find(line.substr(0, colon));
        if (colon == std::string::npos || from == next.end())
            co_return c.name() + " got an unexpected line: " + line;
        if (line.substr(colon + 2) != std::to_string(from->second))
            co_return c.name() + " got " + line + " where it expected number " +
                std::to_string(from->second);
        ++from->second;
    }
    co_return "";
}

/// Aborts the tasks in `handles` when it goes out of scope.
struct abort_all_on_exit {
    std::vector<eddy::join_handle<std::string>>& handles;
    ~abort_all_on_exit() {
        for (auto& h : handles)
            h.abort();
    }
};

/// Line number `n` of a numbered stream, `size` bytes without its newline.
inline std::string numbered(int n, std::size_t size) {
    std::string text = std::to_string(n) + " ";
    text.resize(size, 'x');
    return text;
}

/// Sends `count` numbered lines of `size` bytes, each after taking a credit from `credits`:
/// it stays at most as many lines ahead of the reader as the credits it was given.
inline eddy::task<> send_with_credits(chat_client& sender, int count, std::size_t size,
                                      eddy::sync::mpsc::receiver<int>& credits) {
    for (int i = 0; i < count; ++i) {
        (void)co_await credits.recv();
        const std::string text = numbered(i, size) + "\n";
        co_await sender.send(text);
    }
}

struct reading {
    int received = 0;                      ///< numbered lines, in order
    std::string wrong;                     ///< the first line that was not the next one
    eddy::clock::duration longest_pause{}; ///< between two lines
    std::vector<std::string> joins_and_leaves;
};

/// Reads the numbered lines `from` sends, giving a credit back for each.
inline eddy::task<reading> read_with_credits(chat_client& reader, std::string from, int count,
                                             std::size_t size,
                                             eddy::sync::mpsc::sender<int>& credits) {
    reading r;
    auto last = eddy::clock::now();
    while (r.received < count) {
        const auto line = co_await reader.line(10s);
        const auto now = eddy::clock::now();
        r.longest_pause = std::max(r.longest_pause, now - last);
        last = now;
        if (is_join_or_leave(line)) {
            r.joins_and_leaves.push_back(line);
            continue;
        }
        if (line != from + ": " + numbered(r.received, size)) {
            r.wrong = line.substr(0, 80);
            co_return r;
        }
        ++r.received;
        (void)credits.try_send(1);
    }
    co_return r;
}

/// Every line until the server closes the connection.
inline eddy::task<std::vector<std::string>> lines_until_end(chat_client& c) {
    std::vector<std::string> lines;
    for (;;) {
        auto line = co_await c.next();
        if (!line) co_return lines;
        lines.push_back(std::move(*line));
    }
}

/// Waits (polling, without blocking the core) until `server` exits; its status or nothing.
inline eddy::task<std::optional<int>> exit_of(child_process& server) {
    const auto deadline = eddy::clock::now() + exit_limit;
    for (;;) {
        if (auto status = server.wait_exit(0ms)) co_return status;
        if (eddy::clock::now() >= deadline) co_return std::nullopt;
        co_await eddy::sleep_for(10ms);
    }
}

} // namespace eddy_test
