#include "room.hpp"

#include <spdlog/spdlog.h>

namespace eddy::samples::chat {

client::client(room& r) : room_(&r) {
    room_->enter(*this);
}

client::~client() {
    room_->exit(*this);
    // Normally both have ended already; at a forced teardown they must not outlive us.
    reader.abort();
    writer.abort();
}

void room::enter(client& c) {
    c.everyone_at_ = everyone_.size();
    everyone_.push_back(&c);
}

void room::exit(client& c) noexcept {
    leave(c);
    if (c.everyone_at_ != client::nowhere) remove_at(everyone_, &client::everyone_at_, c);
}

void room::join(client& c) {
    if (c.member_at_ != client::nowhere) return;
    c.member_at_ = members_.size();
    members_.push_back(&c);
}

void room::leave(client& c) {
    if (c.member_at_ != client::nowhere) remove_at(members_, &client::member_at_, c);
}

void room::remove_at(std::vector<client*>& list, std::size_t client::*at, client& c) noexcept {
    client* last = list.back();
    list[c.*at] = last;
    last->*at = c.*at;
    list.pop_back();
    c.*at = client::nowhere;
}

void room::broadcast(const shared_line& line, const client* except) {
    for (client* c : members_) {
        if (c == except) continue;
        if (!c->outgoing->try_send(line)) to_drop_.push_back(c); // full, or its writer ended
    }
    if (to_drop_.empty()) return;
    // After the loop: dropping a member changes `members_`.
    for (client* c : to_drop_)
        drop(*c);
    to_drop_.clear();
}

bool room::tell(client& c, const shared_line& line) {
    return c.outgoing && c.outgoing->try_send(line).has_value();
}

void room::drop(client& c) noexcept {
    spdlog::info("{} dropped: its queue is full or its connection broke", c.name);
    leave(c);
    c.dropped_ = true;
    // Its session (waiting for the reader) wakes up, tells the others and closes the socket.
    c.reader.abort();
}

void room::close() noexcept {
    for (client* c : members_)
        c->member_at_ = client::nowhere;
    members_.clear();
}

} // namespace eddy::samples::chat
