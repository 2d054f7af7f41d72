// A program outside eddy's tree that uses it as a meson subproject: one echo round trip
// over loopback. Prints "consumer: ok" and exits 0 when the bytes come back.
#include <eddy/eddy.hpp>

#include <cstdio>
#include <string>

namespace {

eddy::task<> echo_once(eddy::net::tcp_listener& listener) {
    auto s = co_await listener.accept();
    if (!s) co_return;
    auto [rd, wr] = s->split();
    co_await eddy::io::copy(rd, wr);
}

eddy::task<bool> round_trip() {
    auto listener = eddy::net::tcp_listener::bind("127.0.0.1:0").value();
    auto server = eddy::spawn(echo_once(listener));
    auto client = co_await eddy::net::tcp_stream::connect(listener.local_addr().value());
    if (!client) co_return false;
    const std::string sent = "ping";
    auto wrote = co_await eddy::io::write_all(*client, std::as_bytes(std::span(sent)));
    if (!wrote) co_return false;
    co_await client->shutdown();
    std::vector<std::byte> back;
    auto n = co_await eddy::io::read_to_end(*client, back, 64);
    if (!n) co_return false;
    co_return std::string(reinterpret_cast<const char*>(back.data()), back.size()) == sent;
}

} // namespace

int main() {
    eddy::runtime rt;
    const bool ok = rt.block_on(round_trip());
    std::puts(ok ? "consumer: ok" : "consumer: the echo differs");
    return ok ? 0 : 1;
}
