// How a line reaches the clients of the other cores: each core has a hub, an unbounded mpsc
// channel made on that core, and every core holds a sender to every hub. A line is sent once
// to each other core (as a std::string: a shared_line never leaves its core), and that core's
// hub task queues it to its own clients (core.cpp). So a message crosses to each other core
// once, however many clients are there.
//
//     fan_out links;                       // on its core: makes the core's hub
//     co_await links.meet(everyone);       // at start-up: learns every core's hub
//     links.publish(line);                 // the line to every other core, once
//     links.leave();                       // at shutdown: lets the other hubs end
//
// The hubs are handed round once at start-up through a `directory`: each core enlists its
// hub; the last to enlist gives every core a copy of all of them. The directory keeps one
// more copy, through which core 0 asks every core to shut down at a stop signal (it may
// come before core 0 itself has its copy, while other cores serve already).
#pragma once

#include "shared_line.hpp"

#include "eddy/eddy.hpp"

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace eddy::samples::chat {

/// Asks a core to shut its room down (core.cpp); `done` is dropped when it has, so the
/// asker's receiver sees every sender gone once every core is done.
struct shutdown_request {
    eddy::sync::mpsc::sender<int> done;
};

/// What a hub receives: a line for every client of its core, or a shutdown request.
using hub_message = std::variant<std::string, shutdown_request>;
using hub_sender = eddy::sync::mpsc::unbounded_sender<hub_message>;

/// Where the cores find each other's hubs at start-up, and how a stop signal reaches them.
/// Made before the runtime starts; each core writes only its own entry, and the last one to
/// enlist reads them all.
class directory {
  public:
    using gate_sender = eddy::sync::mpsc::sender<std::vector<hub_sender>>;

    explicit directory(std::size_t cores) : cores_(cores), entries_(cores) {}

    /// Enlists the calling core's hub, and the gate through which it will get every hub
    /// (indexed by core) once all cores have enlisted.
    void enlist(hub_sender hub, gate_sender gate);

    /// On core 0, at a stop signal: asks every core to shut down (each drops its copy of
    /// `done` when it has) and gives true; false if not every core had enlisted yet: then
    /// no core serves yet, and from now on `stopping()` tells each not to.
    bool shut_down_everywhere(eddy::sync::mpsc::sender<int> done);
    /// True once a stop signal came: a client that connects now only gets the goodbye.
    bool stopping() const noexcept { return stopping_.load(); }

  private:
    struct entry {
        hub_sender hub;
        gate_sender gate;
    };
    void hand_round();

    const std::size_t cores_;
    std::vector<std::optional<entry>> entries_;
    std::atomic<std::size_t> enlisted_{0};
    // The hubs again, for shut_down_everywhere: written before `handed_round_` is set, read
    // (and dropped) on core 0 after it is seen set. `handed_round_` and `stopping_` are
    // sequentially consistent: a core that starts serving after the signal sees `stopping_`.
    std::vector<hub_sender> hubs_;
    std::atomic<bool> handed_round_{false};
    std::atomic<bool> stopping_{false};
};

class fan_out {
  public:
    /// Makes this core's hub; call it on the core it serves.
    fan_out();

    /// Enlists this core's hub in `d` and waits until it knows every core's hub.
    eddy::task<> meet(directory& d);

    /// Sends `line` once to each other core's hub.
    void publish(const shared_line& line);
    /// Forgets the other hubs. Once every core has (and the directory has dropped its copy
    /// at shutdown), each hub's `receive` gives 0.
    void leave() noexcept { hubs_.clear(); }

    /// Awaits what the other cores sent to this core's hub (appended to `batch`); gives how
    /// many, 0 once every core has left. Cancel-safe.
    auto receive(std::vector<hub_message>& batch) { return hub_.recv_many(batch, batch_limit); }

  private:
    static constexpr std::size_t batch_limit = 256;
    using hub_channel = std::pair<hub_sender, eddy::sync::mpsc::receiver<hub_message>>;
    explicit fan_out(hub_channel hub);

    eddy::sync::mpsc::receiver<hub_message> hub_;
    std::optional<hub_sender> own_; ///< this hub's sender, until it is enlisted
    std::vector<hub_sender> hubs_;  ///< every core's hub, by core index
    std::size_t here_;              ///< this core's index
};

} // namespace eddy::samples::chat
