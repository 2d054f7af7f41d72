#include "core.hpp"

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace eddy::samples::chat {

chat_core::chat_core(const settings& s, directory& everyone)
    : chat_core(s, everyone, eddy::sync::mpsc::channel<int>(1)) {}

chat_core::chat_core(const settings& s, directory& everyone, ticket_channel tickets)
    : settings_(&s), everyone_(&everyone), tickets_(std::move(tickets.first)),
      sessions_ended_(std::move(tickets.second)) {}

void chat_core::publish(const shared_line& line, const client* from) {
    if (closing()) return;
    clients_.broadcast(line, from);
    links_.publish(line);
}

eddy::task<> chat_core::relay(std::shared_ptr<chat_core> self) {
    std::vector<hub_message> batch;
    for (;;) { // the wait's result named first: docs/compiler-notes.md, section 5
        const auto got = co_await self->links_.receive(batch);
        if (got == 0) break;
        for (auto& message : batch) {
            if (auto* text = std::get_if<std::string>(&message))
                self->clients_.broadcast(shared_line::concat({*text}), nullptr);
            else
                co_await self->shut_down();
        }
        batch.clear(); // a shutdown request's `done` goes here, once this core is done
    }
}

eddy::task<> chat_core::shut_down() {
    if (closing_) co_return;
    closing_ = true;
    goodbye_deadline_ = eddy::clock::now() + goodbye_time;
    links_.leave();   // so that every hub ends once every core is here
    clients_.close(); // no more lines to anyone: the goodbye is the last
    for (client* c : clients_.everyone())
        c->reader.abort(); // its session wakes up, says goodbye and closes
    tickets_.reset();
    // Every session is bounded by the deadline; the margin lets them finish.
    (void)co_await eddy::timeout(goodbye_time + std::chrono::milliseconds(100),
                                 sessions_ended_.recv());
}

} // namespace eddy::samples::chat
