// The typed half of a child group (child_group.hpp): the runner that awaits one child and
// stores its outcome, and helpers to start a tuple of children and read their outcomes.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/captured.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/task/detail/child_group.hpp"

#include <cassert>
#include <cstddef>
#include <exception>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

namespace eddy::detail {

template <class T> struct is_result : std::false_type {};
template <class T> struct is_result<result<T>> : std::true_type {};

/// Awaits `child`, stores its outcome in `out`, then tells `group` how it ended.
template <class T>
task<> run_child(task<T> child, captured<T>& out, child_group& group, std::size_t index) {
    child_end how = child_end::value;
    try {
        if constexpr (std::is_void_v<T>) {
            co_await std::move(child);
            out.outcome.template emplace<1>();
        } else {
            out.outcome.template emplace<1>(co_await std::move(child));
            if constexpr (is_result<T>::value)
                if (!std::get<1>(out.outcome)) how = child_end::error;
        }
    } catch (...) {
        out.outcome.template emplace<2>(std::current_exception());
        how = child_end::exception;
    }
    group.child_ended(index, how);
}

/// Gives child `I` of `tasks` its runner, writing into `std::get<I>(outcomes)`.
template <class... T, std::size_t... I>
void add_children(child_group& group, std::tuple<captured<T>...>& outcomes,
                  std::index_sequence<I...>, task<T>... tasks) {
    assert((tasks.valid() && ...) && "a child task is empty (moved from?)");
    (group.set_runner(I, run_child(std::move(tasks), std::get<I>(outcomes), group, I)), ...);
}

/// Calls `f(std::get<I>(t), std::integral_constant<std::size_t, I>{})` for `I == i`.
template <class Tuple, class F> void visit_at(Tuple& t, std::size_t i, F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
        ((I == i ? f(std::get<I>(t), std::integral_constant<std::size_t, I>{}) : void()), ...);
    }
    (std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

/// The value of a successful `result<T>`, `std::monostate` for `result<void>`.
template <class T> stored_t<T> value_of(result<T>&& r) {
    if constexpr (std::is_void_v<T>)
        return {};
    else
        return *std::move(r);
}

} // namespace eddy::detail
