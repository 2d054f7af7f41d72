// `when_any`: run tasks at once on the calling core and keep the first to finish (Tokio's
// `select!`, or `select_all` for a vector). The others (the losers) are cancelled, and
// awaited, before it returns.
//
//     auto first = co_await eddy::when_any(read_request(s), shutdown_requested());
//     if (first.index() == 1) co_return;           // std::variant<request, std::monostate>
//     auto [i, reply] = co_await eddy::when_any(std::move(replicas));   // vector<task<reply>>
//
// The children start at once, in order, each running until it first waits; a child that
// finishes then wins before the later ones start (they are destroyed unstarted). A child
// may move to another core and end there. A `void` task gives `std::monostate`.
//
// Losers: each is cancelled where it waits, and its frame freed, before `when_any` returns.
// A loser that cannot be withdrawn at once is waited for: one whose result is already queued
// (it finished in the same turn as the winner) runs on to its next wait or to its end, and
// its result is dropped; one that is on another core is cancelled when it comes back.
//
// Errors: an exception from the winner is rethrown; exceptions of losers are dropped. The
// vector form throws `std::invalid_argument` for an empty vector (nothing could ever win).
//
// Cancel safety: cancelling the call (a `timeout` around it, an abort of the task awaiting
// it) cancels every child still running, and completes once they are all gone. Once a winner
// is known, a cancellation that is not forced (a timeout) lets the call return the winner.
#pragma once

#include "eddy/runtime/detail/captured.hpp"
#include "eddy/runtime/task.hpp"
#include "eddy/task/detail/child_group.hpp"
#include "eddy/task/detail/run_child.hpp"

#include <cassert>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace eddy {

/// The first child to finish: its value, at the variant index of its argument; rethrows
/// its exception. Cancel safety: see the top (every child is cancelled and awaited).
template <class... T>
    requires(sizeof...(T) > 0)
task<std::variant<detail::stored_t<T>...>> when_any(task<T>... tasks) {
    using winner_type = std::variant<detail::stored_t<T>...>;
    std::tuple<detail::captured<T>...> outcomes;
    detail::child_group group(sizeof...(T), detail::decided_by::any_end);
    detail::add_children(group, outcomes, std::index_sequence_for<T...>{}, std::move(tasks)...);
    co_await group.wait();
    assert(group.decider() != group.none && "when_any ended without a winner");
    std::optional<winner_type> winner;
    detail::visit_at(outcomes, group.decider(), [&](auto& c, auto index) {
        winner.emplace(std::in_place_index<decltype(index)::value>, c.take());
    });
    co_return std::move(*winner);
}

/// The first child to finish: its position in the vector and its value; rethrows its
/// exception. Throws `std::invalid_argument` for an empty vector. Cancel safety: see the top.
template <class T>
task<std::pair<std::size_t, detail::stored_t<T>>> when_any(std::vector<task<T>> tasks) {
    if (tasks.empty()) throw std::invalid_argument("when_any: no tasks to wait for");
    std::vector<detail::captured<T>> outcomes(tasks.size());
    detail::child_group group(tasks.size(), detail::decided_by::any_end);
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        assert(tasks[i].valid() && "a child task is empty (moved from?)");
        group.set_runner(i, detail::run_child(std::move(tasks[i]), outcomes[i], group, i));
    }
    co_await group.wait();
    const std::size_t winner = group.decider();
    assert(winner != group.none && "when_any ended without a winner");
    co_return std::pair<std::size_t, detail::stored_t<T>>(winner, outcomes[winner].take());
}

} // namespace eddy
