// One core of the chat server: its room, its links to the other cores, and its shutdown. Made
// on its core (a std::shared_ptr held by the core's accept loop, its hub task and each of its
// sessions, all on that core), so whichever of them ends last frees it.
//
//     auto here = std::make_shared<chat_core>(settings, everyone);
//     co_await here->meet_the_others();               // fan_out.hpp
//     eddy::spawn(chat_core::relay(here)).detach();   // lines from the other cores
//     here->publish(line, &sender);                   // to every client but the sender
//
// Shutdown (a shutdown_request through the hub): the core stops passing lines on, forgets
// the other hubs, aborts every client's reader so each session says goodbye and closes
// (session.cpp), and waits for the sessions, at most `goodbye_time`.
#pragma once

#include "chat_server.hpp"
#include "fan_out.hpp"
#include "room.hpp"

#include "eddy/eddy.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string_view>

namespace eddy::samples::chat {

class chat_core {
  public:
    /// How long the sessions have, at shutdown, to write their last lines and the goodbye.
    static constexpr std::chrono::milliseconds goodbye_time{1000};
    /// The line every client gets at shutdown.
    static constexpr std::string_view goodbye = "server is shutting down\n";

    /// The core's state; `everyone` is where the cores meet (fan_out.hpp).
    chat_core(const settings& s, directory& everyone);
    chat_core(const chat_core&) = delete;
    chat_core& operator=(const chat_core&) = delete;

    const settings& config() const noexcept { return *settings_; }
    room& clients() noexcept { return clients_; }

    /// Waits until this core knows every core's hub (start-up).
    eddy::task<> meet_the_others() { return links_.meet(*everyone_); }
    /// At the runtime's stop: lets the other cores' hubs end.
    void leave() noexcept { links_.leave(); }

    /// `line` to every client on every core except `from` (which is on this core, or null).
    /// Nothing once the core is closing.
    void publish(const shared_line& line, const client* from);

    /// The core's hub task: queues the lines from the other cores to this core's clients,
    /// and shuts the core down when asked. Ends once every core has left (fan_out::leave).
    static eddy::task<> relay(std::shared_ptr<chat_core> self);

    /// True once the core is shutting down (or a stop signal came, which the core may not
    /// have heard of yet): new sessions only get the goodbye.
    bool closing() const noexcept { return closing_ || everyone_->stopping(); }
    /// Until when a session may try to write its goodbye: `goodbye_time` after the core began
    /// to shut down (or from now, if a stop signal came that the core has not heard of yet).
    eddy::clock::time_point goodbye_deadline() const noexcept {
        return closing_ ? goodbye_deadline_ : eddy::clock::now() + goodbye_time;
    }

    /// A session holds a ticket while it runs: shutdown waits until every ticket is gone
    /// (a channel's receiver sees the end once every sender is dropped, as in Tokio's
    /// graceful shutdown). Only before closing.
    using ticket = eddy::sync::mpsc::sender<int>;
    ticket take_ticket() const { return *tickets_; }

  private:
    using ticket_channel = std::pair<ticket, eddy::sync::mpsc::receiver<int>>;
    chat_core(const settings& s, directory& everyone, ticket_channel tickets);
    eddy::task<> shut_down();

    const settings* settings_;
    directory* everyone_;
    room clients_;
    fan_out links_;
    std::optional<ticket> tickets_;
    eddy::sync::mpsc::receiver<int> sessions_ended_;
    bool closing_ = false;
    eddy::clock::time_point goodbye_deadline_{};
};

} // namespace eddy::samples::chat
