// `until_stopped(token, work)`: run a task until it ends or a stop is requested, whichever
// comes first: the graceful shutdown of a server's loops.
//
//     eddy::task<> accept_loop(eddy::net::tcp_listener& l, eddy::sync::stop_token stop) {
//         for (;;) {
//             auto s = co_await eddy::sync::until_stopped(stop, accept_one(l));
//             if (!s) break;                 // errc::operation_canceled: stopping
//             ...
//         }
//     }
//
// Gives the task's value as a `result` (a task that gives `result<T>` gives it as it is),
// or `errc::operation_canceled` once a stop was requested: the task is then cancelled where
// it waits, and gone, before this returns (it is `when_any` of the task and the token). A
// stop requested before the call cancels the task before it runs.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/sync/stop_token.hpp"
#include "eddy/task/when_any.hpp"
#include "eddy/time/timeout.hpp"

#include <type_traits>
#include <utility>

namespace eddy::sync {

namespace detail {
inline task<> wait_for_stop(stop_token token) {
    co_await token.stopped();
}
} // namespace detail

/// Runs `work` until it ends or `token` is stopped, whichever comes first; see the top. Gives
/// `work`'s value as a `result` (a `result<T>` as it is), or `errc::operation_canceled` once a
/// stop was requested (`work` is then cancelled and gone); rethrows `work`'s exception. With a
/// token that cannot stop (default-made), it just awaits `work`. Cancelling the call cancels
/// `work` as `when_any` does: what `work` had done is lost with it.
template <class T>
auto until_stopped(stop_token token, task<T> work)
    -> task<typename eddy::detail::as_result<T>::type> {
    if (token.stop_requested()) co_return errc::operation_canceled;
    if (!token.stop_possible()) {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(work);
            co_return result<void>{};
        } else {
            co_return co_await std::move(work);
        }
    }
    auto first = co_await when_any(std::move(work), detail::wait_for_stop(std::move(token)));
    if (first.index() == 1) co_return errc::operation_canceled;
    if constexpr (std::is_void_v<T>)
        co_return result<void>{};
    else
        co_return std::move(std::get<0>(first));
}

} // namespace eddy::sync
