// The errors datagram operations build, worded once for single datagrams and batches alike
// (defined in lib/net/datagram_socket.cpp).
#pragma once

#include "eddy/error.hpp"

#include <cstddef>
#include <string>

namespace eddy::net::detail {

/// `errc::message_truncated` saying how large the datagram and the buffer were.
error truncated(std::size_t datagram_size, std::size_t buffer_size);
/// The error `e`, with `destination` as its context unless it has one.
error naming(error e, std::string destination);

} // namespace eddy::net::detail
