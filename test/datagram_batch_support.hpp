// What the batch tests share, for UDP and Unix datagram sockets alike (their cases are
// EDDY_TEMPLATE_TEST_CASEs over both): a bound socket only this test reaches, sending one
// datagram with a bounded wait, and receiving a given number of datagrams through recv_many.
//
//     auto server = bound_socket<TestType>();
//     co_await send_one(client, payload, address_of(server));
//     auto got = co_await receive_many(server, batch, 6);   // throws if they do not come
#pragma once

#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace eddy_test {

/// A socket of type `S` bound where only this test reaches it: 127.0.0.1 and a free port for
/// UDP, an abstract name of this process's own for Unix.
template <class S> S bound_socket() {
    if constexpr (std::is_same_v<S, eddy::net::udp_socket>) {
        return expect(S::bind("127.0.0.1:0"), "bind 127.0.0.1:0");
    } else {
        // Appended, not "@" + name: g++ 12 at -O3 warns wrongly (-Wrestrict) about that.
        std::string name = "@";
        name.append(temp_socket_path::unique_name("-batch"));
        return expect(S::bind(name), "bind " + name);
    }
}

template <class S> typename S::address_type address_of(const S& sock) {
    return expect(sock.local_addr(), "local_addr");
}

/// `count` sockets of type `S`, each bound as `bound_socket` binds one.
template <class S> std::vector<S> bound_sockets(std::size_t count) {
    std::vector<S> sockets;
    for (std::size_t i = 0; i < count; ++i)
        sockets.push_back(bound_socket<S>());
    return sockets;
}

/// Sends `payload` as one datagram to `to`, and checks that it all went.
template <class S>
eddy::task<> send_one(S& sock, std::span<const std::byte> payload,
                      const typename S::address_type& to) {
    auto sent = co_await eddy::timeout(patience, sock.send_to(payload, to));
    REQUIRE(sent);
    CHECK(*sent == payload.size());
}

/// A datagram as a batch gave it, copied out of the batch.
template <class Address> struct received_datagram {
    std::vector<std::byte> bytes;
    std::size_t size = 0;
    bool truncated = false;
    Address peer;
};

/// What `recv_many` calls into `batch` got, in order, until `count` datagrams have come;
/// fails the test if a call fails or if they take longer than `patience` each.
template <class S, class Address = typename S::address_type>
eddy::task<std::vector<received_datagram<Address>>>
receive_many(S& sock, eddy::net::datagram_batch<Address>& batch, std::size_t count,
             std::size_t* calls = nullptr) {
    std::vector<received_datagram<Address>> got;
    got.reserve(count);
    // Counted, and each wait bounded: at most `count` calls, as each gets one at least.
    std::size_t taken = 0;
    for (std::size_t call = 0; call < count && taken < count; ++call) {
        auto n = co_await eddy::timeout(patience, sock.recv_many(batch));
        if (!n) FAIL("recv_many after " << got.size() << " datagrams: " << n.error().message());
        REQUIRE(*n >= 1);
        REQUIRE(*n == batch.size());
        if (calls) ++*calls;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto d = batch[i];
            received_datagram<Address> r;
            r.bytes.assign(d.bytes().begin(), d.bytes().end());
            r.size = d.size();
            r.truncated = d.truncated();
            r.peer = d.peer();
            got.push_back(std::move(r));
        }
        taken += batch.size();
    }
    co_return got;
}

/// The bytes of datagram `index` of a burst: its index as text, then pseudo-random bytes, in
/// all from 8 to about 1,000 bytes, so that each datagram can be told apart and checked.
inline std::vector<std::byte> burst_datagram(std::size_t index) {
    auto bytes = random_bytes(8 + (index * 37) % 1000, index);
    const std::string tag = std::to_string(index) + ":";
    for (std::size_t i = 0; i < tag.size(); ++i)
        bytes[i] = static_cast<std::byte>(tag[i]);
    return bytes;
}

} // namespace eddy_test
