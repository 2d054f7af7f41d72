// eddy/version.hpp, generated from the project's version: the string and the three numbers
// say the same version.
#include "eddy/eddy.hpp"

#include <catch2/catch_test_macros.hpp>

#include <string>

TEST_CASE("EDDY_VERSION is MAJOR.MINOR.PATCH of the version macros", "[version]") {
    const std::string spelled = std::to_string(EDDY_VERSION_MAJOR) + "." +
                                std::to_string(EDDY_VERSION_MINOR) + "." +
                                std::to_string(EDDY_VERSION_PATCH);
    CHECK(std::string(EDDY_VERSION) == spelled);
    CHECK(EDDY_VERSION_MAJOR * 10000 + EDDY_VERSION_MINOR * 100 + EDDY_VERSION_PATCH >= 100);
}
