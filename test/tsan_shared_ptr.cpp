// Linked into every test program of the ThreadSanitizer build, so that the program's copy of
// shared_ptr's reference counting is one that TSan sees.
//
// A program keeps one copy of each inline library function, the first the linker meets. The
// test programs link the system's Catch2, a static library built with g++ and without TSan,
// which holds shared_ptr's reference counting too. Where no object before it holds a copy,
// the program's copy is Catch2's, and libeddy.so's calls go to it as well (a program's
// definition wins over a shared library's). TSan then misses the atomic count that orders a
// shared_ptr's last release after the other owners' uses, and reports a race on any object
// that a shared_ptr frees on another thread than the one that used it last (the blocking
// pool's shared state when a pool thread outlives the runtime). This object comes first.

#include <memory>

namespace eddy_test {

// Never called. Compiled without optimisation, so that the reference counting it uses is
// emitted here, out of line, and not inlined away.
[[clang::optnone]] void emit_shared_ptr_counting() {
    auto owner = std::make_shared<int>(0);
    const std::shared_ptr<int> copy = owner;
    const std::weak_ptr<int> weak = owner;
    const auto locked = weak.lock();
}

} // namespace eddy_test
