// Helpers to treat any awaitable uniformly: find its awaiter, the type `co_await` gives,
// and call `await_suspend` whatever it returns.
#pragma once

#include <coroutine>
#include <type_traits>
#include <utility>

namespace eddy::detail {

template <class A>
concept has_member_co_await = requires(A&& a) {
    std::forward<A>(a).operator co_await();
};

template <class A> decltype(auto) get_awaiter(A&& a) {
    if constexpr (has_member_co_await<A>)
        return std::forward<A>(a).operator co_await();
    else
        return std::forward<A>(a);
}

template <class A> using awaiter_t = std::remove_cvref_t<decltype(get_awaiter(std::declval<A>()))>;

/// What `co_await a` evaluates to.
template <class A> using await_result_t = decltype(std::declval<awaiter_t<A>&>().await_resume());

/// Calls `aw.await_suspend(h)`; returns the coroutine to resume next, or null if `h` itself
/// should continue (the operation completed without suspending).
template <class Awaiter>
std::coroutine_handle<> suspend_into(Awaiter& aw, std::coroutine_handle<> h) {
    using R = decltype(aw.await_suspend(h));
    if constexpr (std::is_void_v<R>) {
        aw.await_suspend(h);
        return std::noop_coroutine();
    } else if constexpr (std::is_same_v<R, bool>) {
        return aw.await_suspend(h) ? std::coroutine_handle<>(std::noop_coroutine()) : nullptr;
    } else {
        return aw.await_suspend(h);
    }
}

/// An awaiter that can withdraw its waiting coroutine: `cancel()` returns true when the
/// coroutine will not be resumed by the operation (it was still waiting), false when the
/// operation already completed and the coroutine is, or will be, resumed normally.
template <class Awaiter>
concept cancellable_awaiter = requires(Awaiter& a) {
    { a.cancel() } -> std::same_as<bool>;
};

} // namespace eddy::detail
