// `when_all`: run tasks at once on the calling core and wait for every one of them (Tokio's
// `join!`); `try_when_all`: the same for tasks that return `result<T>`, ending at the first
// error (Tokio's `try_join!`).
//
//     auto [user, orders] = co_await eddy::when_all(load_user(id), load_orders(id));
//     auto both = co_await eddy::try_when_all(copy_up(a, b), copy_down(b, a));
//     if (!both) return both.error();                       // the first direction that failed
//     std::vector<int> sizes = co_await eddy::when_all(std::move(fetches));  // vector<task<int>>
//
// The children start at once, in order, each running until it first waits; a child may move
// to another core and end there. Values come in the order of the arguments; a `void` task
// gives `std::monostate`. Nothing outlives the call: when it returns or throws, every child
// has ended and its frame is freed.
//
// Errors: if a child throws, the others are cancelled and awaited, and the exception is
// rethrown (the first one, if several throw). `try_when_all` does the same for the first
// child that returns an error, and returns that error.
//
// Cancel safety: cancelling the call (a `timeout` around it, an abort of the task awaiting
// it) cancels every child that is still running, and it completes once they are all gone; a
// child that cannot be withdrawn at once (its result is queued, or it is on another core) is
// waited for. What the cancelled children had done is lost with them.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/captured.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/task/detail/child_group.hpp"
#include "eddy/task/detail/run_child.hpp"

#include <cassert>
#include <cstddef>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

namespace eddy {

/// Every child's value, in argument order; rethrows the first exception. Cancel safety: see
/// the top (the children are cancelled and awaited).
template <class... T> task<std::tuple<detail::stored_t<T>...>> when_all(task<T>... tasks) {
    std::tuple<detail::captured<T>...> outcomes;
    detail::child_group group(sizeof...(T), detail::decided_by::exception);
    detail::add_children(group, outcomes, std::index_sequence_for<T...>{}, std::move(tasks)...);
    co_await group.wait();
    if (group.decider() != group.none)
        detail::visit_at(outcomes, group.decider(), [](auto& c, auto) { c.rethrow(); });
    co_return std::apply([](auto&... c) { return std::tuple<detail::stored_t<T>...>(c.take()...); },
                         outcomes);
}

/// Every child's value, in the vector's order; rethrows the first exception. Cancel safety:
/// see the top.
template <class T> task<std::vector<detail::stored_t<T>>> when_all(std::vector<task<T>> tasks) {
    std::vector<detail::captured<T>> outcomes(tasks.size());
    detail::child_group group(tasks.size(), detail::decided_by::exception);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        assert(tasks[i].valid() && "a child task is empty (moved from?)");
        group.set_runner(i, detail::run_child(std::move(tasks[i]), outcomes[i], group, i));
    }
    co_await group.wait();
    if (group.decider() != group.none) outcomes[group.decider()].rethrow();
    std::vector<detail::stored_t<T>> values;
    values.reserve(outcomes.size());
    for (auto& c : outcomes)
        values.push_back(c.take());
    co_return values;
}

/// Every child's value, in argument order, or the first error a child returns; rethrows
/// the first exception. Cancel safety: see the top.
template <class... T>
task<result<std::tuple<detail::stored_t<T>...>>> try_when_all(task<result<T>>... tasks) {
    std::tuple<detail::captured<result<T>>...> outcomes;
    detail::child_group group(sizeof...(T), detail::decided_by::exception_or_error);
    detail::add_children(group, outcomes, std::index_sequence_for<T...>{}, std::move(tasks)...);
    co_await group.wait();
    if (group.decider() != group.none) {
        std::optional<error> failure;
        detail::visit_at(outcomes, group.decider(),
                         [&](auto& c, auto) { failure.emplace(c.take().error()); });
        co_return std::move(*failure);
    }
    co_return std::apply(
        [](auto&... c) {
            return std::tuple<detail::stored_t<T>...>(detail::value_of(c.take())...);
        },
        outcomes);
}

/// Every child's value, in the vector's order, or the first error a child returns;
/// rethrows the first exception. Cancel safety: see the top.
template <class T>
task<result<std::vector<detail::stored_t<T>>>> try_when_all(std::vector<task<result<T>>> tasks) {
    std::vector<detail::captured<result<T>>> outcomes(tasks.size());
    detail::child_group group(tasks.size(), detail::decided_by::exception_or_error);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        assert(tasks[i].valid() && "a child task is empty (moved from?)");
        group.set_runner(i, detail::run_child(std::move(tasks[i]), outcomes[i], group, i));
    }
    co_await group.wait();
    if (group.decider() != group.none) co_return outcomes[group.decider()].take().error();
    std::vector<detail::stored_t<T>> values;
    values.reserve(outcomes.size());
    for (auto& c : outcomes)
        values.push_back(detail::value_of(c.take()));
    co_return values;
}

} // namespace eddy
