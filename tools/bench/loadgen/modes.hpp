// eddy-loadgen's modes. Each runs to its end within a bounded time, prints one line of
// key=value pairs, and gives the exit code: 0, or 1 if it could not run (no connection,
// probe unanswered). Errors met while running are counted in the line, not in the code.
#pragma once

#include "options.hpp"

namespace loadgen {

/// --conns connections, each sends --size bytes and waits for their whole echo before the
/// next; messages/s, p50/p99 round trip.
int run_pingpong(const options& opts);
/// --conns connections, each writes and reads as fast as it can, at most --window bytes
/// unechoed; MB/s.
int run_stream(const options& opts);
/// --conns connected UDP sockets, one datagram in flight each; datagrams/s, lost, late.
int run_udp(const options& opts);
/// Opens --conns connections, checks each with a 1-byte echo, holds them --secs; the
/// server's RSS growth per connection.
int run_idle(const options& opts);
/// Waits (at most --secs) until the server echoes one byte (--udp: one datagram).
int run_probe(const options& opts);

} // namespace loadgen
