#include "test_support.hpp"

#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>
#include <catch2/generators/catch_generators.hpp>
#include <catch2/matchers/catch_matchers_string.hpp>

#include <netinet/in.h>

#include <string>
#include <vector>

using Catch::Matchers::ContainsSubstring;
using eddy::net::socket_address;
using namespace eddy_test;

TEST_CASE("a numeric IPv4 address with a port parses", "[net][address]") {
    auto a = socket_address::parse("1.2.3.4:80");
    REQUIRE(a);
    CHECK(a->is_v4());
    CHECK_FALSE(a->is_v6());
    CHECK(a->family() == AF_INET);
    CHECK(a->port() == 80);
    CHECK(a->to_string() == "1.2.3.4:80");
    CHECK(a->native_size() == sizeof(sockaddr_in));
}

TEST_CASE("a bracketed IPv6 address with a port parses", "[net][address]") {
    auto a = socket_address::parse("[::1]:80");
    REQUIRE(a);
    CHECK(a->is_v6());
    CHECK_FALSE(a->is_v4());
    CHECK(a->port() == 80);
    CHECK(a->to_string() == "[::1]:80");
    CHECK(*a == socket_address::loopback_v6(80));
}

TEST_CASE("port 0 parses and means any free port", "[net][address]") {
    auto v4 = socket_address::parse("127.0.0.1:0");
    REQUIRE(v4);
    CHECK(v4->port() == 0);
    CHECK(*v4 == socket_address::loopback_v4(0));
    auto v6 = socket_address::parse("[::1]:0");
    REQUIRE(v6);
    CHECK(v6->port() == 0);
    CHECK(*v6 == socket_address::loopback_v6(0));
}

TEST_CASE("the highest port parses", "[net][address]") {
    auto a = socket_address::parse("10.0.0.1:65535");
    REQUIRE(a);
    CHECK(a->port() == 65535);
}

TEST_CASE("to_string gives back what parse took", "[net][address]") {
    const std::string text =
        GENERATE("1.2.3.4:80", "127.0.0.1:0", "255.255.255.255:65535", "[::1]:80",
                 "[fe80::1:2]:443", "[2001:db8::8:800:200c:417a]:1");
    CAPTURE(text);
    auto a = socket_address::parse(text);
    REQUIRE(a);
    CHECK(a->to_string() == text);
    auto again = socket_address::parse(a->to_string());
    REQUIRE(again);
    CHECK(*again == *a);
}

TEST_CASE("set_port changes only the port", "[net][address]") {
    auto a = socket_address::parse("1.2.3.4:80").value();
    a.set_port(8080);
    CHECK(a.to_string() == "1.2.3.4:8080");
    auto b = socket_address::parse("[::1]:80").value();
    b.set_port(9);
    CHECK(b.to_string() == "[::1]:9");
}

TEST_CASE("an empty address is neither IPv4 nor IPv6", "[net][address]") {
    socket_address a;
    CHECK(a.family() == AF_UNSPEC);
    CHECK_FALSE(a.is_v4());
    CHECK_FALSE(a.is_v6());
    CHECK(a.port() == 0);
}

TEST_CASE("a string that is not an address is an error that names it", "[net][address]") {
    const std::string text =
        GENERATE("nonsense", "1.2.3.4", "1.2.3.4:99999", "1.2.3.4:abc", "[::1", "::1:80",
                 "1.2.3.4:", ":80", "1.2.3:80", "1.2.3.4:80x", "[::1]80", "[nonsense]:80", "");
    CAPTURE(text);
    auto a = socket_address::parse(text);
    check_fails_naming(a, eddy::errc::invalid_address, "'" + text + "'");
}

TEST_CASE("a host name does not parse: it needs resolve", "[net][address]") {
    auto a = socket_address::parse("localhost:80");
    check_fails_naming(a, eddy::errc::invalid_address, "localhost:80");
}

TEST_CASE("resolving a numeric address gives it back without a lookup", "[net][address][resolve]") {
    eddy::runtime rt;
    auto found = rt.block_on(eddy::net::resolve("[::1]:7"));
    REQUIRE(found);
    REQUIRE(found->size() == 1);
    CHECK(found->front() == socket_address::loopback_v6(7));
}

TEST_CASE("resolving a string without a port is an error that names it",
          "[net][address][resolve]") {
    eddy::runtime rt;
    auto found = rt.block_on(eddy::net::resolve("localhost"));
    check_fails_naming(found, eddy::errc::invalid_address, "localhost");
}

TEST_CASE("resolving localhost gives loopback addresses with the port", "[net][address][resolve]") {
    eddy::runtime rt;
    auto found = rt.block_on(eddy::net::resolve("localhost:80"));
    REQUIRE(found);
    REQUIRE_FALSE(found->empty());
    for (const auto& a : *found) {
        CAPTURE(a.to_string());
        CHECK(a.port() == 80);
        CHECK((a == socket_address::loopback_v4(80) || a == socket_address::loopback_v6(80)));
    }
}

TEST_CASE("resolving an unknown host is an error that names it", "[net][address][resolve]") {
    eddy::runtime rt;
    auto found = rt.block_on(eddy::net::resolve("no-such-host.invalid:80"));
    check_fails_naming(found, eddy::errc::invalid_address, "no-such-host.invalid:80");
}

TEST_CASE("a Unix address is a path, an abstract name, or unnamed", "[net][address][unix]") {
    auto path = eddy::net::unix_address::parse("/tmp/eddy.sock").value();
    CHECK(path.is_path());
    CHECK(path.name() == "/tmp/eddy.sock");
    CHECK(path.to_string() == "/tmp/eddy.sock");

    auto abstract = eddy::net::unix_address::parse("@eddy-test").value();
    CHECK(abstract.is_abstract());
    CHECK(abstract.name() == "eddy-test");
    CHECK(abstract.to_string() == "@eddy-test");
    CHECK_FALSE(abstract == path);

    const eddy::net::unix_address unnamed;
    CHECK(unnamed.is_unnamed());
    CHECK(unnamed.to_string() == "(unnamed)");

    // What the kernel hands back compares equal to what was parsed.
    CHECK(eddy::net::unix_address::from_native(path.native(), path.native_size()) == path);
    CHECK(eddy::net::unix_address::from_native(abstract.native(), abstract.native_size()) ==
          abstract);
}

TEST_CASE("a Unix address that the kernel cannot take is refused, naming it",
          "[net][address][unix]") {
    const std::string too_long(200, 'x');
    for (const std::string& text :
         {std::string(), std::string("@"), too_long, std::string("a\0b", 3)}) {
        auto a = eddy::net::unix_address::parse(text);
        REQUIRE_FALSE(a);
        CHECK(a.error() == eddy::errc::invalid_address);
    }
    auto long_path = eddy::net::unix_address::parse(too_long);
    CHECK_THAT(long_path.error().message(), Catch::Matchers::ContainsSubstring(too_long));
    CHECK(eddy::net::unix_address::parse(std::string(107, 'p')));
    CHECK_FALSE(eddy::net::unix_address::parse(std::string(108, 'p')));
}

TEST_CASE("address text holding a NUL byte is refused, naming it, not cut short at the NUL",
          "[net][address]") {
    using namespace std::string_literals;
    for (const std::string& text :
         {"127.0.0.1\0junk:80"s, "127.0.0.1:80\0"s, "[::1\0junk]:80"s, "\0"s, "127.0.0.1\0:80"s}) {
        CAPTURE(text);
        auto a = socket_address::parse(text);
        check_fails_naming(a, eddy::errc::invalid_address, "NUL byte");
    }
    // The NUL shows in the message as "\0": a printed message is not cut short at it.
    auto a = socket_address::parse("127.0.0.1\0junk:80"s);
    REQUIRE_FALSE(a);
    CHECK_THAT(a.error().message(), ContainsSubstring(R"('127.0.0.1\0junk:80')"));
}

TEST_CASE("resolving a name holding a NUL byte is refused before any lookup",
          "[net][address][resolve]") {
    using namespace std::string_literals;
    eddy::runtime rt;
    auto found = rt.block_on(eddy::net::resolve("localhost\0.invalid:80"s));
    check_fails_naming(found, eddy::errc::invalid_address, R"(localhost\0.invalid:80)");
    CHECK_THAT(found.error().message(), ContainsSubstring("NUL byte"));
}

TEST_CASE("Unix address text holding a NUL byte is refused, a path or an abstract name",
          "[net][address][unix]") {
    using namespace std::string_literals;
    for (const std::string& text : {"/tmp/a\0b"s, "@name\0more"s, "@\0"s}) {
        CAPTURE(text);
        auto a = eddy::net::unix_address::parse(text);
        check_fails_naming(a, eddy::errc::invalid_address, "NUL byte");
    }
}

TEST_CASE("an abstract name holding NUL bytes can be made explicitly", "[net][address][unix]") {
    using namespace std::string_literals;
    auto a = eddy::net::unix_address::abstract("name\0more"s);
    REQUIRE(a);
    CHECK(a->is_abstract());
    CHECK(a->name() == "name\0more"s);
    CHECK(eddy::net::unix_address::from_native(a->native(), a->native_size()) == *a);
    check_fails_naming(eddy::net::unix_address::abstract(""), eddy::errc::invalid_address,
                       "empty abstract name");
    check_fails_naming(eddy::net::unix_address::abstract(std::string(108, 'n')),
                       eddy::errc::invalid_address, "too long");
    CHECK(eddy::net::unix_address::abstract(std::string(107, 'n')));
}
