// The same echo server with Boost.Asio's C++20 coroutines, for comparison: a listener that
// spawns a coroutine per connection, which reads and writes back until the peer goes.
#include <utility> // Boost 1.74's asio uses std::exchange in C++20 mode without including it

#include <boost/asio.hpp>

#include <cstddef>

namespace asio = boost::asio;
using asio::ip::tcp;

asio::awaitable<void> serve(tcp::socket s) {
    char data[16 * 1024];
    for (;;) {
        const std::size_t n = co_await s.async_read_some(asio::buffer(data), asio::use_awaitable);
        co_await asio::async_write(s, asio::buffer(data, n), asio::use_awaitable);
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& listener) {
    for (;;) {
        auto s = co_await listener.async_accept(asio::use_awaitable);
        asio::co_spawn(listener.get_executor(), serve(std::move(s)), asio::detached);
    }
}

int main() {
    asio::io_context io(1);
    tcp::acceptor listener(io, {asio::ip::make_address("127.0.0.1"), 7000});
    asio::co_spawn(io, accept_loop(listener), asio::detached);
    io.run();
}
