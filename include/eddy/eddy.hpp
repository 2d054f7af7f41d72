// Everything public in eddy, for programs that would rather not pick headers one by one.
//
//     #include <eddy/eddy.hpp>
//
//     eddy::task<int> nap() {
//         co_await eddy::sleep_for(std::chrono::milliseconds(10));
//         co_return 0;
//     }
//
//     int main() {
//         eddy::runtime rt{{.cores = 1}};
//         return rt.block_on(nap());
//     }
//
// The fiber header is included where fibers are built (`EDDY_HAS_FIBERS`). The README's first
// server and the guide (docs/guide/) show more.
#pragma once

#include "eddy/config.hpp"
#include "eddy/error.hpp"
#include "eddy/result.hpp"
#include "eddy/version.hpp"

#include "eddy/runtime/cross_core.hpp"
#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/spawn.hpp"
#include "eddy/runtime/spawn_blocking.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/runtime/yield_now.hpp"

#include "eddy/task/task_group.hpp"
#include "eddy/task/when_all.hpp"
#include "eddy/task/when_any.hpp"

#include "eddy/time/interval.hpp"
#include "eddy/time/sleep.hpp"
#include "eddy/time/timeout.hpp"

#include "eddy/signal/ctrl_c.hpp"
#include "eddy/signal/hangup.hpp"

#include "eddy/io/buffered_reader.hpp"
#include "eddy/io/buffered_writer.hpp"
#include "eddy/io/concepts.hpp"
#include "eddy/io/copy.hpp"
#include "eddy/io/copy_bidirectional.hpp"
#include "eddy/io/lines.hpp"
#include "eddy/io/read_exact.hpp"
#include "eddy/io/read_to_end.hpp"
#include "eddy/io/stdio.hpp"
#include "eddy/io/stdio_mode.hpp"
#include "eddy/io/write_all.hpp"

#include "eddy/fs/dir_entry.hpp"
#include "eddy/fs/file.hpp"
#include "eddy/fs/metadata.hpp"
#include "eddy/fs/open_options.hpp"
#include "eddy/fs/operations.hpp"
#include "eddy/fs/read_dir.hpp"
#include "eddy/fs/seek_from.hpp"

#include "eddy/net/datagram_batch.hpp"
#include "eddy/net/datagram_socket.hpp"
#include "eddy/net/peer_credentials.hpp"
#include "eddy/net/socket_address.hpp"
#include "eddy/net/split.hpp"
#include "eddy/net/stream_socket.hpp"
#include "eddy/net/tcp_listener.hpp"
#include "eddy/net/tcp_stream.hpp"
#include "eddy/net/udp_socket.hpp"
#include "eddy/net/unix_address.hpp"
#include "eddy/net/unix_datagram.hpp"
#include "eddy/net/unix_listener.hpp"
#include "eddy/net/unix_stream.hpp"

#include "eddy/sync/barrier.hpp"
#include "eddy/sync/broadcast.hpp"
#include "eddy/sync/mpsc.hpp"
#include "eddy/sync/mutex.hpp"
#include "eddy/sync/notify.hpp"
#include "eddy/sync/oneshot.hpp"
#include "eddy/sync/semaphore.hpp"
#include "eddy/sync/send_result.hpp"
#include "eddy/sync/stop_token.hpp"
#include "eddy/sync/until_stopped.hpp"
#include "eddy/sync/watch.hpp"

#if EDDY_HAS_FIBERS
#include "eddy/fiber.hpp"
#endif
