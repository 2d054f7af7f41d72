// g++ 12 at -O2 and -O3 (not -O0 or -O1) returns a stale std::vector from a coroutine that
// grows it in a `while` loop testing the vector's own size around a `co_await`: the vector
// given to `co_return` still points at the buffer its last reallocation freed. The basic-block
// (SLP) vectorizer packs the vector's begin and end into one register and takes the begin
// from the previous trip round the loop: the coroutine's resume points make the loop a region
// with two entries, where it takes a value from the loop's back edge for one defined before
// the loop (GCC bug 111387, "BB SLP and irreducible regions"). -fno-tree-slp-vectorize, a
// counted `for`, or ASan's instrumentation each make it go away.
//
//     g++ -std=c++20 -O2 vector_grown_in_await_loop.cpp && ./a.out
//
// g++ 12.2 -O2 reads freed memory: it crashes, or prints garbage, and valgrind reports "Invalid
// read ... inside a block of size 128 free'd" (4 strings: the buffer before the fifth push).
// g++ 12.2 -O0, -O1, -O2 -fno-tree-slp-vectorize, -O2 -fsanitize=address and clang++ 14 print
//     size 5: [xxx] [xxx] [xxx] [xxx] [xxx]
#include "mini_task.hpp"

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

// Completes at once with a value it computed in await_ready, as eddy's socket operations do
// when data is already there.
struct ready_op {
    std::optional<int> result;
    bool await_ready() {
        result = 3;
        return true;
    }
    void await_suspend(std::coroutine_handle<>) {}
    std::optional<int> await_resume() { return result; }
};

mini_task<std::vector<std::string>> receive(std::size_t count) {
    std::vector<std::string> texts;
    while (texts.size() < count) {
        auto got = co_await ready_op{};
        texts.push_back(std::string(*got, 'x'));
    }
    co_return texts;
}

int main() {
    const auto texts = receive(5).run();
    std::printf("size %zu:", texts.size());
    for (const auto& t : texts)
        std::printf(" [%s]", t.c_str());
    std::printf("\n");
}
