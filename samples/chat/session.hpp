// One chat client's session on its core, from accept to close:
//   1. it asks for a name ("Please enter your username:") and reads one line (an empty name
//      or one over the limit is asked again);
//   2. it joins the room, tells everyone else "NAME has joined the chat", and from then on
//      publishes each line L it reads as "NAME: L" to every other client, on every core;
//   3. when the client goes (or is dropped because its queue is full), everyone else gets
//      "NAME has left the chat".
// A line longer than --max-line is dropped (the rest of it is skipped up to its newline,
// never stored) and its sender alone is told. The client's writer task takes everything
// queued for it and writes it in one write_all.
//
//     eddy::spawn(session(std::move(stream), here)).detach();
#pragma once

#include "core.hpp"

#include "eddy/eddy.hpp"

#include <memory>

namespace eddy::samples::chat {

/// Serves one client of `here`'s core until it leaves, is dropped, or the core shuts down.
eddy::task<> session(eddy::net::tcp_stream stream, std::shared_ptr<chat_core> here);

} // namespace eddy::samples::chat
