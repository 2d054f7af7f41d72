// How the fs code runs on the blocking pool, private to lib/fs: one job with its result
// folded into one `result`, or a long transfer as a run of bounded hops.
#pragma once

#include "eddy/error.hpp"
#include "eddy/fs/metadata.hpp"
#include "eddy/result.hpp"
#include "eddy/runtime/detail/scheduler.hpp"
#include "eddy/runtime/spawn_blocking.hpp"
#include "eddy/runtime/task.hpp"
#include "path_error.hpp"

#include <cerrno>
#include <filesystem>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

namespace eddy::fs::detail {

template <class T> struct pool_result { using type = result<T>; };
template <class T> struct pool_result<result<T>> { using type = result<T>; };
template <class F> using pool_result_t = typename pool_result<std::invoke_result_t<F&>>::type;

/// Runs `job` on the blocking pool and gives what it returned, as a `result`:
/// `operation_canceled` when the runtime stops before the job could run.
template <class F> task<pool_result_t<F>> on_pool(F job) {
    if (eddy::detail::current_scheduler().stopping()) co_return errc::operation_canceled;
    try {
        auto call = spawn_blocking(std::move(job));
        auto value = co_await std::move(call);
        co_return std::move(value);
    } catch (const std::system_error& e) { // only the pool closing throws: jobs do not
        co_return error(e.code());
    }
}

/// Runs `state->hop()` as one pool job after another until the state has ended or failed
/// (`ended`, `error`): each hop moves at most `max_chunk` bytes, so a cancelled caller waits
/// for one hop at most. Gives the state back, or `operation_canceled` if the runtime stopped.
template <class State>
task<result<std::unique_ptr<State>>> run_in_hops(std::unique_ptr<State> state) {
    struct hop_job {
        std::unique_ptr<State> state;
        std::unique_ptr<State> operator()() {
            state->hop();
            return std::move(state);
        }
    };
    for (;;) {
        hop_job job{std::move(state)};
        auto done = co_await on_pool(std::move(job));
        if (!done) co_return std::move(done).error();
        state = std::move(*done);
        if (state->error != 0 || state->ended) co_return std::move(state);
    }
}

/// stat (`follow`) or lstat of `path`, on the pool: the metadata, or the error naming it.
task<result<file_metadata>> stat_path(std::filesystem::path path, bool follow);

} // namespace eddy::fs::detail
