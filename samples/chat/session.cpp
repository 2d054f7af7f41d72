// One client's session (see session.hpp): a supervisor that waits for the client's reader
// task, the reader (name, then lines), and the writer (the client's queue to its socket).
// The supervisor owns the stream and the client's record, so it ends last.
#include "session.hpp"

#include <spdlog/spdlog.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace eddy::samples::chat {

namespace {

using eddy::net::tcp_stream;
using line_source = eddy::io::line_reader<tcp_stream::read_half&>;

constexpr std::string_view prompt = "Please enter your username:\n";
/// A writer keeps a buffer up to this size between batches; a bigger one is given back.
constexpr std::size_t kept_buffer = 16 * 1024;

/// Writes what is queued for the client, everything at hand in one write_all, until every
/// sender is gone (the client left the room and the queue is drained) or a write fails. The
/// batch holds at most twice the queue's capacity, so the buffer stays bounded too.
eddy::task<> write_queue(tcp_stream::write_half wr, eddy::sync::mpsc::receiver<shared_line> queue,
                         std::size_t most) {
    std::vector<shared_line> batch;
    std::string out;
    // Each wait's result is named before it is tested (docs/compiler-notes.md, section 5).
    for (;;) {
        const auto got = co_await queue.recv_many(batch, most);
        if (got == 0) break;
        // A turn later the core's other readers have queued what they had read too: one
        // bigger write instead of several small ones (a syscall costs far more than a turn).
        // While lines keep coming, wait one more turn (at most), then write.
        co_await eddy::yield_now();
        if (queue.size() > 0) {
            (void)co_await queue.recv_many(batch, most);
            co_await eddy::yield_now();
            if (queue.size() > 0) (void)co_await queue.recv_many(batch, most);
        }
        for (const auto& line : batch)
            out.append(line.text());
        batch.clear();
        auto written = co_await eddy::io::write_all(wr, out);
        if (!written) co_return; // the connection broke: the room drops the client
        out.clear();
        if (out.capacity() > kept_buffer) std::string().swap(out);
    }
}

/// Asks for a name until the client gives a line that is not empty and not over the limit;
/// nothing if the client goes first.
eddy::task<std::optional<std::string>> ask_name(line_source& lines, tcp_stream::write_half wr) {
    for (;;) {
        auto asked = co_await eddy::io::write_all(wr, prompt);
        if (!asked) co_return std::nullopt;
        auto line = co_await lines.next();
        if (!line && line.error() != eddy::errc::too_large) co_return std::nullopt;
        if (line && !*line) co_return std::nullopt; // end of stream
        if (line && !(*line)->empty()) co_return std::move(**line);
    }
}

/// The client's reader: its name, then its lines, until it goes.
eddy::task<> read_lines(tcp_stream::read_half rd, tcp_stream::write_half wr, client& me,
                        chat_core& here) {
    const settings& s = here.config();
    auto lines = eddy::io::lines(rd, s.max_line);
    auto name = co_await ask_name(lines, wr);
    if (!name) co_return;

    auto [tx, rx] = eddy::sync::mpsc::channel<shared_line>(s.queue);
    me.name = std::move(*name);
    me.outgoing = std::move(tx);
    me.writer = eddy::spawn(write_queue(wr, std::move(rx), s.queue));
    here.clients().join(me);
    spdlog::debug("{} joined", me.name);
    here.publish(shared_line::concat({me.name, " has joined the chat\n"}), &me);

    const auto dropped = shared_line::concat(
        {"your line was dropped: longer than ", std::to_string(s.max_line), " bytes\n"});
    for (;;) {
        auto line = co_await lines.next();
        if (!line) {
            if (line.error() != eddy::errc::too_large) co_return; // the connection failed
            if (!here.clients().tell(me, dropped)) co_return;     // its queue is full
            continue;
        }
        if (!*line) co_return; // end of stream
        here.publish(shared_line::concat({me.name, ": ", **line, "\n"}), &me);
    }
}

/// Writes the goodbye straight to the socket (a client with no queue yet), until `deadline`.
eddy::task<> say_goodbye(tcp_stream::write_half wr, eddy::clock::time_point deadline) {
    (void)co_await eddy::timeout(deadline - eddy::clock::now(),
                                 eddy::io::write_all(wr, chat_core::goodbye));
}

eddy::task<> wait_for(eddy::join_handle<void>& task) {
    (void)co_await task;
}

/// At shutdown: the goodbye after what is queued, then the writer ends; at most until the
/// core's deadline (a client that does not read gets cut off).
eddy::task<> part_at_shutdown(client& me, tcp_stream::write_half wr, chat_core& here) {
    if (!me.joined()) {
        co_await say_goodbye(wr, here.goodbye_deadline());
        co_return;
    }
    (void)me.outgoing->try_send(shared_line::concat({chat_core::goodbye})); // full: none
    here.clients().leave(me); // a member always has a queue: none for it from here on
    me.outgoing.reset();      // its only sender: the writer ends once the queue is written
    (void)co_await eddy::timeout(here.goodbye_deadline() - eddy::clock::now(), wait_for(me.writer));
}

} // namespace

eddy::task<> session(tcp_stream stream, std::shared_ptr<chat_core> here) {
    (void)stream.set_nodelay(true);
    auto [rd, wr] = stream.split();
    if (here->closing()) {
        co_await say_goodbye(wr, here->goodbye_deadline());
        co_return;
    }
    const auto ticket = here->take_ticket();
    client me(here->clients());
    // Ends when the client goes, when the room drops it, or at shutdown (aborted).
    me.reader = eddy::spawn(read_lines(rd, wr, me, *here));
    (void)co_await me.reader;

    if (here->closing()) {
        co_await part_at_shutdown(me, wr, *here);
    } else if (me.joined()) {
        here->clients().leave(me);
        spdlog::debug("{} left", me.name);
        here->publish(shared_line::concat({me.name, " has left the chat\n"}), &me);
    }
    // `me` aborts the writer if it still runs; then the stream closes.
}

} // namespace eddy::samples::chat
