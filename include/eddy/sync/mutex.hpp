// `mutex`: an asynchronous mutex, held across `co_await`s, locked and unlocked from any core.
// It may hold the value it guards (Tokio's shape).
//
//     eddy::sync::mutex<std::vector<int>> shared(std::vector<int>{});
//     {
//         auto guard = co_await shared.lock();   // waits without blocking the core
//         guard->push_back(1);
//         co_await flush(*guard);                // still held
//     }                                          // unlocked here
//     eddy::sync::mutex plain;                   // mutex<void>: guards no value
//
// The mutex lives on the core that made it (its home; see detail/mutex_state.hpp). On home a
// lock or an unlock is plain code (no lock, no atomic read-modify-write). A lock awaited on
// another core waits at home (the awaiter is the message) and resumes on its own core; an
// unlock there is a message to home (nothing allocated). Waiters get the lock in the order
// they asked (FIFO hand-off). The mutex must outlive its guards and waiters.
//
// Cancel safety: a cancelled `lock()` holds nothing; one that got the lock as it was
// cancelled by `abort` gives it back. It works with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/result.hpp"
#include "eddy/runtime/detail/misuse.hpp"
#include "eddy/sync/detail/mutex_state.hpp"

#include <type_traits>
#include <utility>

namespace eddy::sync {

template <class T = void> class mutex;

/// Holds a mutex's lock: unlocks when destroyed (or on `unlock()`). Move it to hand the lock
/// to another task, on any core. For a `mutex<T>`, `*` and `->` reach the guarded value.
template <class T> class [[nodiscard]] mutex_guard {
  public:
    /// Moves the lock to this guard; `o` then holds nothing.
    mutex_guard(mutex_guard&& o) noexcept
        : state_(std::exchange(o.state_, nullptr)), value_(std::exchange(o.value_, nullptr)) {}
    /// Unlocks what this guard holds, if anything, and takes `o`'s lock.
    mutex_guard& operator=(mutex_guard&& o) noexcept {
        if (this != &o) {
            unlock();
            state_ = std::exchange(o.state_, nullptr);
            value_ = std::exchange(o.value_, nullptr);
        }
        return *this;
    }
    /// Unlocks, if the guard still holds the lock.
    ~mutex_guard() { unlock(); }

    /// The guarded value; a guard that was unlocked or moved from stops the program.
    std::add_lvalue_reference_t<T> operator*() const noexcept requires(!std::is_void_v<T>) {
        return *held();
    }
    /// Member access to the guarded value; as `operator*`.
    T* operator->() const noexcept requires(!std::is_void_v<T>) { return held(); }

    /// Unlocks now; the guard then holds nothing.
    void unlock() noexcept {
        value_ = nullptr;
        if (state_) std::exchange(state_, nullptr)->unlock();
    }

  private:
    friend class mutex<T>;
    mutex_guard(sync::detail::mutex_state* s, T* value) noexcept : state_(s), value_(value) {}

    T* held() const noexcept {
        if (!state_)
            eddy::detail::misuse("a mutex guard was used after unlock() or a move: the value "
                                 "it guarded is not locked by it");
        return value_;
    }

    sync::detail::mutex_state* state_;
    T* value_; // null for mutex<void>
};

namespace detail {
/// Where a mutex keeps the value it guards (nothing for mutex<void>).
template <class T> struct guarded_value {
    T value;
    T* get() noexcept { return &value; }
};
template <> struct guarded_value<void> {
    void* get() noexcept { return nullptr; }
};
} // namespace detail

/// An asynchronous mutex guarding a `T` (nothing for `mutex<void>`); see the top.
template <class T> class mutex {
  public:
    /// Awaits the lock, then gives its guard. Cancel-safe (see the top).
    class lock_awaiter final : public sync::detail::mutex_state::parked_lock {
        using parked = sync::detail::mutex_state::parked_lock;

      public:
        /// Waits for the lock of `m` (what `lock` makes).
        explicit lock_awaiter(mutex& m) noexcept : parked(m.state_->home_mailbox()), mutex_(&m) {}
        /// Moves the awaiter; only before it is awaited (so it can be handed to `timeout`).
        lock_awaiter(lock_awaiter&&) noexcept = default;
        // Got the lock but never resumed (the task was aborted): give it back.
        ~lock_awaiter() override {
            if (granted_) mutex_->state_->unlock();
        }

        /// The guard of the lock, now held; never fails.
        mutex_guard<T> await_resume() noexcept {
            granted_ = false; // the guard holds it now
            return mutex_guard<T>(mutex_->state_, mutex_->value_.get());
        }

      private:
        // On home.
        bool try_now() override { return granted_ = mutex_->state_->try_lock_here(); }
        void park() override { mutex_->state_->park(*this); }

        mutex* mutex_;
    };

    /// An unlocked mutex guarding a default-made value (or none, for mutex<void>).
    mutex() requires std::is_void_v<T> || std::is_default_constructible_v<T>
        : state_(new sync::detail::mutex_state(eddy::detail::current_scheduler())) {}
    /// An unlocked mutex guarding `value`.
    template <class U = T>
        requires(!std::is_void_v<U>)
    explicit mutex(std::type_identity_t<U> value)
        : state_(new sync::detail::mutex_state(eddy::detail::current_scheduler())),
          value_{std::move(value)} {}
    mutex(const mutex&) = delete;
    mutex& operator=(const mutex&) = delete;
    /// Nothing may hold or wait for the lock any more.
    ~mutex() { state_->release(); }

    /// Awaits the lock; `co_await` gives a `mutex_guard<T>`. From any core; waiters get the
    /// lock in the order they asked. Cancel-safe (see the top).
    lock_awaiter lock() noexcept { return lock_awaiter(*this); }

    /// Locks now if the mutex is free (and nobody waits); else `errc::would_block`. Only on
    /// the mutex's core (elsewhere it stops the program: use `lock()`).
    result<mutex_guard<T>> try_lock() {
        state_->check_home("a mutex's try_lock");
        if (!state_->try_lock_here()) return errc::would_block;
        return mutex_guard<T>(state_, value_.get());
    }

    /// True while someone holds the lock. Only on the mutex's core.
    bool is_locked() const noexcept {
        state_->check_home("a mutex's is_locked");
        return state_->locked_here();
    }

  private:
    sync::detail::mutex_state* state_;
    [[no_unique_address]] detail::guarded_value<T> value_;
};

/// `mutex m(value)` guards a value of `value`'s type.
template <class T> mutex(T) -> mutex<T>;

} // namespace eddy::sync
