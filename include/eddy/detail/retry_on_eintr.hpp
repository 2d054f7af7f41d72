// `retry_on_eintr(call)`: a system call that a signal interrupted (EINTR) is made again; every
// other result, success or error, is the caller's. The one loop of its kind in eddy.
#pragma once

#include <cerrno>

namespace eddy::detail {

/// Calls `call()` until it does not fail with EINTR; gives its last result (a negative one
/// leaves the error in errno).
template <class Call> auto retry_on_eintr(Call call) noexcept(noexcept(call())) {
    for (;;) {
        auto r = call();
        if (!(r < 0 && errno == EINTR)) return r;
    }
}

} // namespace eddy::detail
