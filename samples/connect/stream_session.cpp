// A stream session: stdin to the socket (then a half-close), the socket to stdout, at once.
#include "sessions.hpp"

#include <string>
#include <utility>

namespace eddy::samples::connect {

namespace {

/// Copies stdin to the socket; at stdin's end, shuts down the sending side so the server
/// sees end of stream and can finish.
template <class WriteHalf> eddy::task<eddy::result<void>> send_stdin(WriteHalf& to) {
    auto in = eddy::io::stdin();
    auto copied = co_await eddy::io::copy(in, to);
    if (!copied) co_return std::move(copied).error();
    auto shut = co_await to.shutdown();
    co_return shut;
}

template <class Stream> eddy::task<failure> pipe(Stream stream) {
    auto [from, to] = stream.split();
    auto sender = eddy::spawn(send_stdin(to));
    auto out = eddy::io::stdout();
    auto received = co_await eddy::io::copy(from, out);
    // The server closed its side (or the connection failed): whatever stdin still has has
    // nobody to go to.
    const bool sender_done = sender.is_finished();
    sender.abort();
    if (!received) co_return failed("receiving", received.error());
    if (sender_done) {
        auto sent = co_await sender;
        if (sent && !*sent) {
            // A server that closes while we still send makes the send fail with EPIPE or a
            // reset; that is its choice, not our failure.
            const auto& err = sent->error();
            if (err != std::errc::broken_pipe && err != std::errc::connection_reset)
                co_return failed("sending", err);
        }
    }
    co_return std::nullopt;
}

template <class Stream> eddy::task<failure> connect_and_pipe(std::string address) {
    auto stream = co_await Stream::connect(address);
    if (!stream) co_return failed("cannot connect", stream.error());
    co_return co_await pipe(std::move(*stream));
}

} // namespace

eddy::task<failure> over_tcp(std::string address) {
    return connect_and_pipe<eddy::net::tcp_stream>(std::move(address));
}

eddy::task<failure> over_unix(std::string path) {
    return connect_and_pipe<eddy::net::unix_stream>(std::move(path));
}

} // namespace eddy::samples::connect
