// g++ 12 destroys a member twice when an aggregate is brace-initialised in a full-expression
// that contains a `co_await`: `co_return outcome{a, co_await x}`, or a local
// `outcome o{co_await x, ...}`. It is the same fault as in capture_in_co_await.cpp (GCC bug
// 101976: members initialised in place also get a cleanup of their own); any member whose type
// has a destructor is hit, whether or not it is the awaited one.
//
//     g++ -std=c++20 -O2 aggregate_with_co_await.cpp && ./a.out    (also -O0, -fsanitize=address)
//
// g++ 12.2 prints, and exits 1:             clang++ 14 prints, and exits 0:
//     co_return {.., co_await}: alive -1        co_return {.., co_await}: alive 0
//     local {co_await, ..}: alive -1            local {co_await, ..}: alive 0
//     awaited first: alive 0                    awaited first: alive 0
#include "mini_task.hpp"

#include <cstdio>
#include <utility>

struct outcome {
    int before;
    counted value;
};

mini_task<counted> make(int id) {
    co_return counted{id};
}
mini_task<int> make_int(int v) {
    co_return v;
}

mini_task<outcome> braced_co_return() {
    co_return outcome{1, co_await make(5)};
}
mini_task<outcome> braced_local() {
    outcome o{co_await make_int(1), counted{5}}; // the awaited member is not the counted one
    co_return o;
}
mini_task<outcome> awaited_first() {
    auto value = co_await make(5); // the workaround: await into a local, then build
    co_return outcome{1, std::move(value)};
}

template <class Coroutine> bool check(const char* name, Coroutine coroutine) {
    counted::alive = 0;
    { const outcome o = coroutine().run(); }
    std::printf("%s: alive %d\n", name, counted::alive);
    return counted::alive == 0;
}

int main() {
    bool ok = check("co_return {.., co_await}", braced_co_return);
    ok &= check("local {co_await, ..}", braced_local);
    ok &= check("awaited first", awaited_first);
    return ok ? 0 : 1;
}
