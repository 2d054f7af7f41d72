// `semaphore`: a count of permits that tasks on any core acquire and release (Tokio's
// Semaphore). `shared_semaphore` is a handle to one, copied to any core, whose permits keep
// it alive (Tokio's `acquire_owned` on an `Arc<Semaphore>`).
//
//     eddy::sync::semaphore slots(8);                 // at most 8 uploads at once
//     auto permit = co_await slots.acquire();         // result<semaphore_permit>
//     if (!permit) co_return permit.error();          // errc::channel_closed: close()d
//     co_await upload(file);                          // the permit goes back at scope end
//
//     eddy::sync::shared_semaphore limit(100);
//     auto p = co_await limit.acquire(4);             // p may move to another task or core
//
// The semaphore lives on the core that made it (its home; see detail/semaphore_state.hpp).
// On home an acquire or a release is plain code (no lock, no atomic read-modify-write). An
// acquire awaited on another core waits at home (the awaiter is the message) and resumes on
// its own core; a release there is a small message to home. Waiters are served first come,
// first served: a large acquire is not starved by small ones. A `semaphore` must outlive its
// permits and waiters; a `shared_semaphore`'s permits hold it alive themselves.
//
// Cancel safety: a cancelled `acquire` takes no permit; one that was granted as it was
// cancelled by `abort` gives its permits back. It works with `eddy::timeout`.
//
// When the runtime stops, a task waiting here is not woken (as I/O and sleeps are, with
// `errc::operation_canceled`): it stays parked and is destroyed with the runtime. Under
// `eddy::timeout`, the stop fires the timeout at once, which gives `errc::timed_out`.
#pragma once

#include "eddy/result.hpp"
#include "eddy/sync/detail/semaphore_state.hpp"

#include <cstddef>
#include <utility>

namespace eddy::sync {

class semaphore_operations;

/// Permits taken from a semaphore, given back when the permit is destroyed. Move it to hand
/// the permits to another task, on any core. A permit from a `shared_semaphore` also keeps
/// the semaphore alive.
class [[nodiscard]] semaphore_permit {
  public:
    /// Moves the permits to this one; `o` then holds none.
    semaphore_permit(semaphore_permit&& o) noexcept
        : state_(std::exchange(o.state_, nullptr)), count_(std::exchange(o.count_, 0)),
          owns_state_(o.owns_state_) {}
    /// Gives back what this permit holds, if anything, and takes `o`'s permits.
    semaphore_permit& operator=(semaphore_permit&& o) noexcept {
        if (this != &o) {
            release();
            state_ = std::exchange(o.state_, nullptr);
            count_ = std::exchange(o.count_, 0);
            owns_state_ = o.owns_state_;
        }
        return *this;
    }
    /// Gives the permits back (see `release()`).
    ~semaphore_permit() { release(); }

    /// Permits held.
    std::size_t count() const noexcept { return count_; }

    /// Gives the permits back now (from another core: a message to the semaphore's).
    void release() noexcept {
        if (!state_) return;
        auto* s = std::exchange(state_, nullptr);
        if (count_ > 0) s->add(std::exchange(count_, 0));
        if (owns_state_) s->release();
    }

    /// Drops the permits without giving them back: the semaphore has that many fewer.
    void forget() noexcept {
        if (!state_) return;
        count_ = 0;
        release();
    }

  private:
    friend class semaphore_operations;
    semaphore_permit(sync::detail::semaphore_state* s, std::size_t count, bool owns_state) noexcept
        : state_(s), count_(count), owns_state_(owns_state) {}

    sync::detail::semaphore_state* state_;
    std::size_t count_;
    bool owns_state_; // a shared_semaphore's permit: holds a reference to the state
};

/// The operations of `semaphore` and `shared_semaphore` (acquire, add permits, close), which
/// differ only in who owns the semaphore. Not made on its own.
class semaphore_operations {
    using state = sync::detail::semaphore_state;

  public:
    /// Awaits `n` permits; gives a permit, or `errc::channel_closed` once the semaphore is
    /// closed. Cancel-safe (see the top).
    class acquire_awaiter final : public state::parked_acquire {
      public:
        /// Waits for `n` permits of `s`; `owned`: the permit will hold a reference to it.
        acquire_awaiter(state& s, std::size_t n, bool owned) noexcept
            : parked_acquire(s.home_mailbox(), n), state_(&s), owned_(owned) {}
        /// Moves the wait (before it is awaited).
        acquire_awaiter(acquire_awaiter&&) noexcept = default;
        // Granted but never resumed (the task was aborted): give the permits back.
        ~acquire_awaiter() override {
            if (outcome_ == outcome::granted) state_->add(wanted_);
        }

        /// The permit, or `errc::channel_closed`.
        result<semaphore_permit> await_resume() noexcept {
            if (outcome_ != outcome::granted) return errc::channel_closed;
            outcome_ = outcome::waiting; // the permit holds them now
            if (owned_) state_->add_ref();
            return semaphore_permit(state_, wanted_, owned_);
        }

      private:
        // On home.
        bool try_now() override {
            if (state_->closed())
                outcome_ = outcome::closed;
            else if (state_->try_take_here(wanted_))
                outcome_ = outcome::granted;
            return outcome_ != outcome::waiting;
        }
        void park() override { state_->park(*this); }
        void withdrawn() noexcept override { state_->serve_here(); }

        state* state_;
        bool owned_;
    };

    semaphore_operations(const semaphore_operations&) = delete;
    semaphore_operations& operator=(const semaphore_operations&) = delete;

    /// Awaits `n` permits (see `acquire_awaiter`); from any core. Cancel-safe: a cancelled
    /// acquire takes no permit.
    acquire_awaiter acquire(std::size_t n = 1) noexcept {
        return acquire_awaiter(*state_, n, owned_permits_);
    }

    /// Takes `n` permits now if nobody waits and there are enough; else `errc::would_block`,
    /// or `errc::channel_closed`. Only on the semaphore's core (elsewhere it stops the
    /// program: use `acquire`).
    result<semaphore_permit> try_acquire(std::size_t n = 1) {
        state_->check_home("a semaphore's try_acquire");
        if (state_->closed()) return errc::channel_closed;
        if (!state_->try_take_here(n)) return errc::would_block;
        if (owned_permits_) state_->add_ref();
        return semaphore_permit(state_, n, owned_permits_);
    }

    /// Adds `n` permits (from another core: a message to the semaphore's).
    void add_permits(std::size_t n) { state_->add(n); }

    /// Permits free now; on another core, a snapshot a moment old.
    std::size_t available() const noexcept { return state_->available(); }

    /// Closes the semaphore: waiters and later acquires get `errc::channel_closed`; permits
    /// held are still given back. From another core, a message to the semaphore's.
    void close() { state_->close(); }
    /// True once closed (on another core, once the close reached the semaphore's).
    bool is_closed() const noexcept { return state_->closed(); }

  protected:
    /// Operates on `s`; `owned_permits`: permits hold a reference to it.
    semaphore_operations(state* s, bool owned_permits) noexcept
        : state_(s), owned_permits_(owned_permits) {}
    ~semaphore_operations() = default;

    state* state_;       ///< the semaphore (a `shared_semaphore` holds a reference to it)
    bool owned_permits_; ///< whether permits hold a reference too (`shared_semaphore`)
};

/// A semaphore living on the calling core; its permits borrow it.
class semaphore : public semaphore_operations {
  public:
    /// A semaphore with `permits` free.
    explicit semaphore(std::size_t permits)
        : semaphore_operations(
              new sync::detail::semaphore_state(eddy::detail::current_scheduler(), permits),
              false) {}
    /// Nothing may wait on it or hold its permits any more.
    ~semaphore() { state_->release(); }
};

/// A handle to a semaphore: copies share it, on any core, and its permits keep it alive.
class shared_semaphore : public semaphore_operations {
  public:
    /// A semaphore with `permits` free, living on the calling core.
    explicit shared_semaphore(std::size_t permits)
        : semaphore_operations(
              new sync::detail::semaphore_state(eddy::detail::current_scheduler(), permits), true) {
    }
    /// Another handle to `o`'s semaphore.
    shared_semaphore(const shared_semaphore& o) noexcept : semaphore_operations(o.state_, true) {
        state_->add_ref();
    }
    /// Drops this handle's semaphore and shares `o`'s.
    shared_semaphore& operator=(const shared_semaphore& o) noexcept {
        o.state_->add_ref();
        state_->release();
        state_ = o.state_;
        return *this;
    }
    /// Drops this handle; the semaphore goes with its last handle and permit.
    ~shared_semaphore() { state_->release(); }
};

} // namespace eddy::sync
