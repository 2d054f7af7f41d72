// eddy-chat's start and stop. Every core runs `serve_core`: it makes its chat_core, meets
// the other cores (fan_out.hpp), starts its hub task, then accepts on a SO_REUSEPORT listener
// of its own, so a client stays on the core that accepted it. On a stop signal, core 0 asks
// every core to shut down and waits (bounded) until they have, then the runtime stops.
#include "../common/accept_loop.hpp"
#include "../common/socket_per_core.hpp"
#include "chat_server.hpp"
#include "core.hpp"
#include "session.hpp"

#include <sched.h>

#include <chrono>
#include <memory>
#include <utility>

namespace eddy::samples::chat {

namespace {

using eddy::net::socket_address;
using eddy::net::tcp_listener;
using eddy::net::tcp_stream;

/// The cores the runtime will have: `asked`, or for 0 one per CPU the process may use (as
/// the runtime counts them). The cores meet at start-up, so the count must be known first.
std::size_t core_count_for(std::size_t asked) {
    if (asked != 0) return asked;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) return 1;
    const int n = CPU_COUNT(&set);
    return n > 0 ? static_cast<std::size_t>(n) : 1;
}

eddy::task<> serve_core(tcp_listener& first, socket_address bound, const settings& s,
                        directory& everyone) {
    auto here = std::make_shared<chat_core>(s, everyone);
    co_await here->meet_the_others();
    eddy::spawn(chat_core::relay(here)).detach();

    // Named before the co_await: g++ 12 destroys the captures of a lambda made inside a
    // co_await expression twice (docs/compiler-notes.md).
    auto accept_here = [here](tcp_listener& listener) {
        return accept_loop(
            listener, [here](tcp_stream s) { eddy::spawn(session(std::move(s), here)).detach(); });
    };
    co_await serve_on_own_socket(first, bound, std::move(accept_here));
    // The runtime is stopping: let the other hubs end while the cores still run.
    here->leave();
}

/// On core 0, at the first stop signal: every core says goodbye to its clients and closes
/// them; waits until all have, at most a little longer than they are given.
eddy::task<> shut_down_everywhere(directory& everyone) {
    auto [done, all_done] = eddy::sync::mpsc::channel<int>(1);
    // The cores hold the only copies of `done` now.
    if (!everyone.shut_down_everywhere(std::move(done))) co_return; // nobody serves yet
    (void)co_await eddy::timeout(chat_core::goodbye_time + std::chrono::milliseconds(300),
                                 all_done.recv());
}

} // namespace

int serve(const settings& s) {
    server_options options = s.server;
    options.cores = core_count_for(options.cores);
    directory everyone(options.cores);
    options.on_stop = [&everyone] { return shut_down_everywhere(everyone); };
    return run_server(
        options, [&] { return bind_resolved<tcp_listener>(s.listen); },
        [&s, &everyone](tcp_listener& first, socket_address bound) {
            return serve_core(first, bound, s, everyone);
        });
}

} // namespace eddy::samples::chat
