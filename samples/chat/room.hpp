// A core's room: the chat clients connected to this core, and the queue that feeds each one.
// It is core-local: only this core's tasks touch it, so it takes no lock.
//
//     client c(room);                          // from the start of a session to its end
//     c.outgoing = std::move(tx);              // a bounded queue, read by c's writer task
//     room.join(c);                            // from now on c gets the room's lines
//     room.broadcast(line, &sender);           // to every member but the sender
//
// A member whose queue is full (it does not read) or whose writer has ended (its connection
// broke) is dropped at once: it leaves the room and its reader task is aborted, so its
// session ends and closes the connection. Nobody ever waits for a member.
#pragma once

#include "shared_line.hpp"

#include "eddy/eddy.hpp"

#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace eddy::samples::chat {

class room;

/// One client of a core, from its session's start to its end (session.cpp). It enters the
/// room when made and leaves it when destroyed; its tasks never outlive it.
class client {
  public:
    explicit client(room& r);
    client(const client&) = delete;
    client& operator=(const client&) = delete;
    ~client();

    /// True once the client has given its name and has a queue.
    bool joined() const noexcept { return outgoing.has_value(); }
    /// True when the room dropped it: its queue was full or its writer had ended.
    bool dropped() const noexcept { return dropped_; }

    std::string name;
    std::optional<eddy::sync::mpsc::sender<shared_line>> outgoing; ///< its bounded queue
    eddy::join_handle<void> reader; ///< asks the name, then publishes the client's lines
    eddy::join_handle<void> writer; ///< writes the queue to the socket

  private:
    friend class room;
    static constexpr std::size_t nowhere = std::numeric_limits<std::size_t>::max();

    room* room_;
    std::size_t everyone_at_ = nowhere; ///< index in room::everyone_
    std::size_t member_at_ = nowhere;   ///< index in room::members_, while a member
    bool dropped_ = false;
};

class room {
  public:
    room() = default;
    room(const room&) = delete;
    room& operator=(const room&) = delete;

    /// `c` (joined, with a queue) gets every line broadcast from now on.
    void join(client& c);
    /// `c` gets no more lines. No effect if it is not a member.
    void leave(client& c);

    /// Queues `line` to every member but `except` (null: to all). Never waits: a member
    /// whose queue is full, or whose writer has ended, is dropped.
    void broadcast(const shared_line& line, const client* except);
    /// Queues `line` to `c` alone; false if its queue is full or its writer has ended (the
    /// caller decides what that means: this is used by `c`'s own reader).
    bool tell(client& c, const shared_line& line);

    /// Every client of the core, members or not yet.
    std::span<client* const> everyone() const noexcept { return everyone_; }
    /// Empties the room (at shutdown): the members stay connected but get no more lines.
    void close() noexcept;

  private:
    friend class client;
    void enter(client& c);
    void exit(client& c) noexcept;
    void drop(client& c) noexcept;

    // Unordered lists with O(1) removal: the last element takes the removed one's place.
    static void remove_at(std::vector<client*>& list, std::size_t client::*at, client& c) noexcept;

    std::vector<client*> everyone_;
    std::vector<client*> members_;
    std::vector<client*> to_drop_; ///< found during a broadcast, dropped after it
};

} // namespace eddy::samples::chat
