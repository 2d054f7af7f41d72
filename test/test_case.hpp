// Test cases whose body is a coroutine, run to its end on a fresh runtime (as Tokio's
// `#[tokio::test]`, Seastar's SEASTAR_TEST_CASE and Boost.Cobalt's CO_TEST_CASE do):
//
//     EDDY_TEST_CASE("a read sees what the peer wrote", "[net]") {
//         auto [client, server] = co_await connected_pair();
//         const auto got = co_await pass_text(client, server, "ping");
//         CHECK(got == "ping");
//     }
//     EDDY_TEST_CASE_WITH("a task moves to another core", "[runtime]", .cores = 2) { ... }
//     EDDY_TEMPLATE_TEST_CASE("a stream ends", "[io]", eddy::net::tcp_stream,
//                             eddy::net::unix_stream) {
//         auto [client, server] = co_await stream_pair<TestType>();
//         ...
//     }
//
// Each is a Catch2 TEST_CASE (or TEMPLATE_TEST_CASE) that makes an `eddy::runtime` and
// `block_on`s the body. A failed REQUIRE in the body throws; the exception ends the task and
// `block_on` throws it again in the test case, where Catch2 reports it as the failure.
// `EDDY_TEST_CASE_WITH` takes the runtime's options as designated initialisers after the tags.
#pragma once

#include "eddy/runtime/runtime.hpp"
#include "eddy/runtime/runtime_options.hpp"
#include "eddy/runtime/task.hpp"

#include <catch2/catch_template_test_macros.hpp>
#include <catch2/catch_test_macros.hpp>

namespace eddy_test {

/// Makes a runtime with `options` and blocks on `body()`, made once the runtime is there (as
/// `rt.block_on(f())` does); what the body throws, a failed REQUIRE too, comes out of here.
inline void run_test_body(eddy::runtime_options options, eddy::task<> (*body)()) {
    eddy::runtime rt{options};
    rt.block_on(body());
}

} // namespace eddy_test

#define EDDY_TEST_CONCAT_IMPL(a, b) a##b
#define EDDY_TEST_CONCAT(a, b) EDDY_TEST_CONCAT_IMPL(a, b)
/// A name no other test case in this file uses, for the coroutine that holds a body.
#define EDDY_TEST_BODY_NAME EDDY_TEST_CONCAT(eddy_test_body_, __COUNTER__)

/// A Catch2 test case ("name", "[tags]") whose body is a coroutine run on a one-core runtime.
#define EDDY_TEST_CASE(...) EDDY_TEST_CASE_IMPL(EDDY_TEST_BODY_NAME, (__VA_ARGS__))

/// As EDDY_TEST_CASE, on a runtime made with the options that follow name and tags:
/// `EDDY_TEST_CASE_WITH("name", "[tags]", .cores = 2, .pin = true)`.
#define EDDY_TEST_CASE_WITH(name, tags, ...)                                                       \
    EDDY_TEST_CASE_WITH_IMPL(EDDY_TEST_BODY_NAME, (name, tags), (__VA_ARGS__))

/// As EDDY_TEST_CASE, once for each type after name and tags, the type named `TestType` in
/// the body (as in Catch2's TEMPLATE_TEST_CASE).
#define EDDY_TEMPLATE_TEST_CASE(name, tags, ...)                                                   \
    EDDY_TEMPLATE_TEST_CASE_IMPL(EDDY_TEST_BODY_NAME, name, tags, __VA_ARGS__)

// The body becomes a coroutine declared before the test case and defined by the block that
// follows the macro. Arguments in parentheses are lists passed on whole.
#define EDDY_TEST_UNPAREN(...) __VA_ARGS__
#define EDDY_TEST_CASE_IMPL(body, case_args) EDDY_TEST_CASE_WITH_IMPL(body, case_args, ())
#define EDDY_TEST_CASE_WITH_IMPL(body, case_args, options)                                         \
    static ::eddy::task<> body();                                                                  \
    TEST_CASE(EDDY_TEST_UNPAREN case_args) {                                                       \
        ::eddy_test::run_test_body(::eddy::runtime_options{EDDY_TEST_UNPAREN options}, &body);     \
    }                                                                                              \
    static ::eddy::task<> body()
#define EDDY_TEMPLATE_TEST_CASE_IMPL(body, name, tags, ...)                                        \
    template <class TestType> static ::eddy::task<> body();                                        \
    TEMPLATE_TEST_CASE(name, tags, __VA_ARGS__) {                                                  \
        ::eddy_test::run_test_body(::eddy::runtime_options{}, &body<TestType>);                    \
    }                                                                                              \
    template <class TestType> static ::eddy::task<> body()
