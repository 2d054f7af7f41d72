// g++ 12 skips a coroutine's body when an `if`, `while` or `switch` directly in that body has
// a `co_await` in its condition and the awaiter does not suspend (its `await_suspend` gives
// false, as a task that finishes at once does): one resume neither runs the statements nor
// ends the coroutine. A condition that declares a variable (`if (auto v = co_await x)`), a
// `for` condition, or the same `if` inside a nested block is compiled correctly.
//
//     g++ -std=c++20 -O2 co_await_in_condition.cpp && ./a.out   (also -O0)
//
// g++ 12.2 prints "steps 0, done 0" and exits 1; clang++ 14 prints "steps 2, done 1" and
// exits 0.
#include "mini_task.hpp"

#include <cstdio>

int steps = 0;

mini_task<int> answer() {
    co_return 1;
}

mini_task<int> user() {
    ++steps;
    if (co_await answer()) ++steps;
    co_return 0;
}

int main() {
    auto t = user();
    t.handle.resume();
    const bool done = t.handle.done();
    std::printf("steps %d, done %d\n", steps, done ? 1 : 0);
    return steps == 2 && done ? 0 : 1;
}
