#include "eddy/error.hpp"

#include <catch2/catch_test_macros.hpp>

#include <cerrno>

TEST_CASE("a system error reads lower-case and names what it concerns", "[error]") {
    const auto missing = eddy::error::from_errno(ENOENT, "/tmp/none");
    CHECK(missing.message() == "no such file or directory: /tmp/none");
    CHECK(missing == std::errc::no_such_file_or_directory);
    CHECK(eddy::error::from_errno(ECONNREFUSED).message() == "connection refused");
}

TEST_CASE("eddy's own errors have their own text and compare with their code", "[error]") {
    const eddy::error truncated(eddy::errc::message_truncated, "datagram of 1200 bytes");
    CHECK(truncated.message() == "datagram larger than the receive buffer: datagram of 1200 bytes");
    CHECK(truncated == eddy::errc::message_truncated);
    CHECK_FALSE(truncated == eddy::errc::too_large);
}
