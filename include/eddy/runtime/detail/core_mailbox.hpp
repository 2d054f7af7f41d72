// A core's mailbox: what other threads need of a core to hand it work, in an object of its
// own. It is the core's inbox and the eventfd that wakes the core. The scheduler holds a
// reference to it, and so does every `eddy::sync` state whose home the core is (taken once,
// when the state is made; dropped when the state is freed). So a handle that outlives its
// runtime (kept in main() past it, or dropped by a plain thread once it has ended) posts to
// live memory: the runtime's teardown closes the mailbox, and what is posted from then on is
// discarded at once (`inbox_message::discard`), which releases what the message held.
//
// Why the eventfd is here and not in the reactor: a post that finds the inbox empty pushes,
// then wakes the core. Teardown may close the inbox between the two, discard the message and
// free the core's reactor. The poster then still writes the eventfd. As the mailbox owns that
// fd and the poster holds the mailbox (see `post`), the write reaches an eventfd that is still
// open and that nobody reads any more, never a freed reactor or an fd number that was closed
// and given to something else. So teardown never waits for posters and posters never count
// themselves in (no atomic read-modify-write per post beyond the inbox's own); the cost is
// one fd per core, open until the last state of that core is freed.
#pragma once

#include "eddy/detail/unique_fd.hpp"
#include "eddy/runtime/detail/inbox.hpp"

#include <atomic>
#include <cstddef>
#include <utility>

namespace eddy::detail {

class core_mailbox {
  public:
    /// The mailbox of core `index`; throws `std::system_error` if no eventfd can be made.
    explicit core_mailbox(std::size_t index);
    core_mailbox(const core_mailbox&) = delete;
    core_mailbox& operator=(const core_mailbox&) = delete;

    std::size_t core_index() const noexcept { return index_; }
    /// The fd the core's reactor watches to be woken.
    int wake_fd() const noexcept { return wake_fd_.get(); }

    // --- any thread ---
    /// Queues `m` for the core and wakes it if needed; once the mailbox is closed, discards
    /// `m` instead. The caller keeps the mailbox alive until this returns: it holds a
    /// reference, or a state that holds one (a handle holds its state). A reference that only
    /// `m` holds is not enough: teardown may discard `m`, and free what it held, before the
    /// wake-up.
    void post(inbox_message& m) noexcept {
        switch (inbox_.push(&m)) {
        case inbox::pushed::first: wake(); break;
        case inbox::pushed::queued: break;
        case inbox::pushed::closed: m.discard(); break;
        }
    }
    /// Wakes the core from its reactor's wait.
    void wake() noexcept;
    /// True once the core's runtime was torn down.
    bool closed() const noexcept { return inbox_.closed(); }

    // --- the owning core ---
    bool empty() const noexcept { return inbox_.empty(); }
    /// Every queued message, oldest first (follow `inbox::next`).
    inbox_message* take_all() noexcept { return inbox_.take_all(); }
    /// Teardown: refuses every later post and gives what was queued, oldest first.
    inbox_message* close() noexcept { return inbox_.close(); }

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

  private:
    ~core_mailbox() = default;

    inbox inbox_;
    unique_fd wake_fd_;
    std::size_t index_;
    // On a line of its own: states are made and freed often (a oneshot per request), and
    // their count should not bounce the line that posters and the core share.
    alignas(64) std::atomic<int> refs_{1};
};

/// A counted reference to a core's mailbox.
class mailbox_ref {
  public:
    mailbox_ref() noexcept = default;
    /// Adopts the reference `m` comes with.
    explicit mailbox_ref(core_mailbox* m) noexcept : mailbox_(m) {}
    mailbox_ref(const mailbox_ref& o) noexcept : mailbox_(o.mailbox_) {
        if (mailbox_) mailbox_->add_ref();
    }
    mailbox_ref(mailbox_ref&& o) noexcept : mailbox_(std::exchange(o.mailbox_, nullptr)) {}
    mailbox_ref& operator=(mailbox_ref o) noexcept {
        std::swap(mailbox_, o.mailbox_);
        return *this;
    }
    ~mailbox_ref() {
        if (mailbox_) mailbox_->release();
    }

    core_mailbox* get() const noexcept { return mailbox_; }
    core_mailbox* operator->() const noexcept { return mailbox_; }
    core_mailbox& operator*() const noexcept { return *mailbox_; }

  private:
    core_mailbox* mailbox_ = nullptr;
};

} // namespace eddy::detail
