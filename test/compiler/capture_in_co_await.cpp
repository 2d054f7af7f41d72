// g++ 12 destroys the members of a temporary made inside a `co_await` expression twice when
// that temporary is a lambda with captures or an aggregate (GCC bugs 100611 and 101976, and
// 101367 for `co_yield`; the test cases first ship with GCC 13). The members are initialised
// in place, yet the coroutine transform also gives each of them a cleanup of its own.
//
//     g++ -std=c++20 -O2 capture_in_co_await.cpp && ./a.out        (also -O0, -fsanitize=address)
//
// g++ 12.2 prints, and exits 1:         clang++ 14 prints, and exits 0:
//     lambda temporary: alive -1            lambda temporary: alive 0
//     aggregate temporary: alive -1         aggregate temporary: alive 0
//     named lambda: alive 0                 named lambda: alive 0
// With a std::string capture instead of `counted`, the plain g++ build aborts ("free(): double
// free detected") and ASan reports "attempting double-free".
#include "mini_task.hpp"

#include <cstdio>
#include <utility>

template <class F> mini_task<int> call(F f) {
    co_return f();
}

struct holder {
    counted c;
    int operator()() const { return c.id; }
};

mini_task<int> lambda_temporary(counted c) {
    co_return co_await call([c] { return c.id; });
}
mini_task<int> aggregate_temporary(counted c) {
    co_return co_await call(holder{c});
}
mini_task<int> named_lambda(counted c) {
    auto f = [c] { return c.id; }; // the workaround: name it, then move it in
    co_return co_await call(std::move(f));
}

template <class Coroutine> bool check(const char* name, Coroutine coroutine) {
    counted::alive = 0;
    coroutine(counted{7}).run();
    std::printf("%s: alive %d\n", name, counted::alive);
    return counted::alive == 0;
}

int main() {
    bool ok = check("lambda temporary", lambda_temporary);
    ok &= check("aggregate temporary", aggregate_temporary);
    ok &= check("named lambda", named_lambda);
    return ok ? 0 : 1;
}
