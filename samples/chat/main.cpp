// eddy-chat: a line-based chat server (the protocol of Tokio's chat example), with limits.
//
//     eddy-chat --listen 127.0.0.1:7000 [--threads N] [--max-line BYTES] [--queue N]
//               [--log-level LEVEL]
//
// A client is asked for its name ("Please enter your username:"), then every line it sends
// goes to every other client as "NAME: LINE"; the others see "NAME has joined the chat" and
// "NAME has left the chat". Clients on different cores (--threads) see each other.
// Limits: a line longer than --max-line bytes (default 8192, newline not counted) is dropped
// and only its sender is told; a client whose queue of unsent lines reaches --queue (default
// 1024) is disconnected, so one that does not read never holds the others up. Bytes pass
// through as they are (no UTF-8 check); a "\r" before the newline is dropped.
//
// It prints "listening on ADDRESS" once it serves. SIGINT, SIGTERM or SIGHUP: every client is
// told "server is shutting down" (a client that does not read gets cut off after a second)
// and disconnected, and the server exits 0. Bad arguments exit 2 with one line on stderr; an
// address it cannot listen on exits 1 with one line naming it.
#include "../common/cli.hpp"
#include "../common/log.hpp"
#include "../common/signals.hpp"
#include "chat_server.hpp"

int main(int argc, char** argv) {
    eddy::samples::ignore_sigpipe();
    namespace chat = eddy::samples::chat;
    CLI::App app{"eddy-chat: a line-based chat server", "eddy-chat"};
    chat::settings s;
    spdlog::level::level_enum level = spdlog::level::warn;
    app.add_option("--listen", s.listen, "address to listen on, HOST:PORT (port 0: a free port)")
        ->required();
    app.add_option("--threads", s.server.cores, "cores to serve on (0: one per CPU)")
        ->check(CLI::Range(0, 1024))
        ->default_str("1");
    app.add_option("--max-line", s.max_line,
                   "longest line passed on, in bytes without the newline; a longer line is "
                   "dropped and its sender told (1 to 1073741824)")
        ->check(CLI::Range(1, 1 << 30))
        ->default_str("8192");
    app.add_option("--queue", s.queue,
                   "lines waiting to be sent to one client; a client whose queue is full is "
                   "disconnected (1 to 1048576)")
        ->check(CLI::Range(1, 1 << 20))
        ->default_str("1024");
    eddy::samples::add_log_level(app, level);
    if (int code = eddy::samples::parse_or_exit_code(app, argc, argv); code >= 0) return code;
    eddy::samples::log_to_stderr(level);
    return chat::serve(s);
}
