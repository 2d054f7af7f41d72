// g++ 12 runs a `co_await` written inside `__builtin_constant_p(...)`, whose operand is never
// evaluated (GCC bugs 101027 and 116775). Catch2's assertion macros put their expression in
// `(void)__builtin_constant_p(...)` to keep its warnings, so with g++ `CHECK(co_await f())`
// runs the operation more than once: three times in all with Catch2 3.7 (Catch2 issues 2591
// and 2925).
//
//     g++ -std=c++20 -O2 co_await_in_builtin_constant_p.cpp && ./a.out   (also -O0, ASan)
//
// g++ 12.2 prints "runs 1" and exits 1; clang++ 14 prints "runs 0" and exits 0.
#include "mini_task.hpp"

#include <cstdio>

int runs = 0;

mini_task<int> one() {
    ++runs;
    co_return 1;
}

mini_task<int> user() {
    (void)__builtin_constant_p(co_await one() == 1);
    co_return 0;
}

int main() {
    user().run();
    std::printf("runs %d\n", runs);
    return runs == 0 ? 0 : 1;
}
