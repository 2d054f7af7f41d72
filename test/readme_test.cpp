// The README's first server is the sample's code, not a copy that may drift: the function
// between the markers in samples/echo/tcp_echo.cpp appears, line for line, in the README's
// first C++ block, and that block is, whole, tools/compile_cost/eddy_echo.cpp, which the
// build compiles; the guide's echo chapter (docs/guide/03-echo-line-by-line.md) reads that program.
#include <catch2/catch_test_macros.hpp>

#include <fstream>
#include <sstream>
#include <string>

namespace {

std::string file_text(const std::string& relative) {
    std::ifstream in(std::string(EDDY_SOURCE_ROOT) + "/" + relative);
    REQUIRE(in);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// The text strictly between the line holding `begin` and the line holding `end`.
std::string between_lines(const std::string& text, const std::string& begin,
                          const std::string& end) {
    const auto b = text.find(begin);
    REQUIRE(b != std::string::npos);
    const auto first = text.find('\n', b) + 1;
    const auto e = text.find(end, first);
    REQUIRE(e != std::string::npos);
    const auto last = text.rfind('\n', e) + 1;
    return text.substr(first, last - first);
}

} // namespace

TEST_CASE("the README's first server quotes eddy-echo's TCP path word for word", "[docs]") {
    const std::string quoted = between_lines(file_text("samples/echo/tcp_echo.cpp"),
                                             "readme-quote-begin", "readme-quote-end");
    CHECK(quoted.find("io::copy(rd, wr)") != std::string::npos);
    const std::string first_block = between_lines(file_text("README.md"), "```cpp", "```");
    INFO("sample:\n" << quoted << "README:\n" << first_block);
    CHECK(first_block.find(quoted) != std::string::npos);
}

TEST_CASE("the README's first server is, whole, a program the build compiles", "[docs]") {
    const std::string program = file_text("tools/compile_cost/eddy_echo.cpp");
    const auto code = program.find("#include");
    REQUIRE(code != std::string::npos);
    const std::string first_block = between_lines(file_text("README.md"), "```cpp", "```");
    INFO("program:\n" << program << "README:\n" << first_block);
    CHECK(first_block == program.substr(code));
}

TEST_CASE("the README's fibers section quotes eddy-echo --fibers word for word", "[docs]") {
    const std::string quoted = between_lines(file_text("samples/echo/fiber_echo.hpp"),
                                             "readme-fiber-quote-begin", "readme-fiber-quote-end");
    CHECK(quoted.find("eddy::fiber::await(s.read(buf))") != std::string::npos);
    const std::string readme = file_text("README.md");
    const auto section = readme.find("## Fibers");
    REQUIRE(section != std::string::npos);
    const std::string block = between_lines(readme.substr(section), "```cpp", "```");
    INFO("sample:\n" << quoted << "README:\n" << block);
    CHECK(block.find(quoted) != std::string::npos);
}

TEST_CASE("the guide's echo chapter reads the same program as the README", "[docs]") {
    const std::string program = file_text("tools/compile_cost/eddy_echo.cpp");
    const std::string block =
        between_lines(file_text("docs/guide/03-echo-line-by-line.md"), "```cpp", "```");
    INFO("program:\n" << program << "guide:\n" << block);
    CHECK(block == program.substr(program.find("#include")));
}
