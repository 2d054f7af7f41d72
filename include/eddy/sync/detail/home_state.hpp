// What the state of an `eddy::sync` primitive shares with the others: its home core (the
// core that made it, the only one that reads or writes the state), a reference count, and a
// way to run a fire-and-forget operation (an unlock, a release, a send that never waits) on
// home from any core.
//
// The count is atomic because handles are copied and dropped on any core; it is touched
// when a handle (or a message in flight) comes or goes, never by an operation on home.
// A fire-and-forget operation from another core travels as a small allocated message that
// holds a reference, so the state outlives it even if the last handle goes meanwhile.
#pragma once

#include "eddy/runtime/detail/inbox.hpp"
#include "eddy/runtime/detail/misuse.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

#include <atomic>
#include <utility>

namespace eddy::sync::detail {

class home_state {
  public:
    home_state(const home_state&) = delete;
    home_state& operator=(const home_state&) = delete;

    eddy::detail::scheduler& home() const noexcept { return *home_; }

    /// True when the caller may touch the state now: on home, or on a thread that runs no
    /// core (as mpsc: the runtime's loops are not running there, e.g. after `block_on`).
    bool at_home() const noexcept {
        auto* here = eddy::detail::current_scheduler_or_null();
        return here == home_ || !here;
    }
    /// Stops the program when called on another core than home; `what` names the call.
    void check_home(const char* what) const noexcept { eddy::detail::check_owner(*home_, what); }

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    /// Runs `f()` on home: at once when called there, else in a message to home (one
    /// allocation). Calls from one core run on home in the order they were made.
    template <class F> void run_at_home(F f) {
        if (at_home()) {
            f();
            return;
        }
        add_ref(); // for the message
        home_->post(*new call<F>(*this, std::move(f)));
    }

  protected:
    explicit home_state(eddy::detail::scheduler& home) noexcept : home_(&home) {}
    virtual ~home_state() = default;

  private:
    template <class F> class call final : public eddy::detail::inbox_message {
      public:
        call(home_state& s, F f) : state_(&s), f_(std::move(f)) {}
        void deliver(eddy::detail::scheduler&) override {
            f_();
            finish();
        }
        void discard() noexcept override { finish(); }

      private:
        void finish() noexcept {
            home_state* s = state_;
            delete this;
            s->release();
        }
        home_state* state_;
        F f_;
    };

    eddy::detail::scheduler* home_;
    std::atomic<int> refs_{1}; // the handle that made it
};

} // namespace eddy::sync::detail
