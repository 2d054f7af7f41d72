// The shared state of a primitive whose handles may be on several cores: its home core and a
// reference count. The count is atomic because handles are copied and destroyed on any core;
// it changes when a handle does, never per operation (a message to home holds a reference
// while it travels, so the state outlives every message about it). The state may outlive its
// runtime: see home_core.hpp for what it may still do then.
#pragma once

#include "eddy/sync/detail/home_core.hpp"
#include "eddy/sync/detail/home_operation.hpp"

#include <atomic>
#include <utility>

namespace eddy::sync::detail {

class home_state {
  public:
    explicit home_state(scheduler& home) noexcept : home_(home) {}
    home_state(const home_state&) = delete;
    home_state& operator=(const home_state&) = delete;

    /// The home scheduler: only on home.
    scheduler& home() const noexcept { return home_.core(); }
    /// Home's mailbox, for the operations awaited on this state (home_operation.hpp).
    core_mailbox& home_mailbox() const noexcept { return home_.mailbox(); }
    /// True when the caller runs on home (a thread that runs no core is not home: its
    /// operations go to home as messages too).
    bool called_at_home() const noexcept { return home_.called_here(); }
    /// Stops the program when called on another core than home; `what` names the call.
    void check_home(const char* what) const noexcept { home_.check(what); }

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    /// Runs `f()` on home: at once when called there, else in a message to home (one
    /// allocation) that keeps the state alive until it has run. From a thread that runs no
    /// core (a blocking job), it is a message too. Once the runtime is gone the message is
    /// discarded: `f` never runs. The caller holds the state (a handle does) until this
    /// returns.
    template <class F> void run_at_home(F f) {
        if (called_at_home()) {
            f();
            return;
        }
        add_ref();
        home_.post(*new call<F>(*this, std::move(f)));
    }

  protected:
    virtual ~home_state() = default;

  private:
    template <class F> class call final : public inbox_message {
      public:
        call(home_state& s, F f) : state_(&s), f_(std::move(f)) {}
        void deliver(scheduler&) override {
            f_();
            end();
        }
        void discard() noexcept override { end(); }

      private:
        void end() noexcept {
            state_->release();
            delete this;
        }
        home_state* state_;
        F f_;
    };

    home_core home_;
    std::atomic<int> refs_{1};
};

/// A counted reference to a `home_state`, for handles that are copied across cores.
template <class State> class state_ref {
  public:
    state_ref() noexcept = default;
    explicit state_ref(State* adopted) noexcept : state_(adopted) {}
    state_ref(const state_ref& o) noexcept : state_(o.state_) {
        if (state_) state_->add_ref();
    }
    state_ref(state_ref&& o) noexcept : state_(std::exchange(o.state_, nullptr)) {}
    state_ref& operator=(state_ref o) noexcept {
        std::swap(state_, o.state_);
        return *this;
    }
    ~state_ref() {
        if (state_) state_->release();
    }

    State* get() const noexcept { return state_; }
    State* operator->() const noexcept { return state_; }
    State& operator*() const noexcept { return *state_; }
    explicit operator bool() const noexcept { return state_ != nullptr; }

  private:
    State* state_ = nullptr;
};

} // namespace eddy::sync::detail
