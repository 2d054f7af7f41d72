// The per-core run queue: an intrusive, circular, doubly linked list of nodes that live
// inside the waiting operations themselves (an awaiter in a coroutine frame), so making a
// coroutine runnable allocates nothing, and an operation destroyed while queued (its task
// was cancelled) takes itself out of the queue in its destructor.
#pragma once

#include <cassert>
#include <coroutine>

namespace eddy::detail {

class ready_node {
  public:
    ready_node() = default;
    ready_node(const ready_node&) = delete;
    ready_node& operator=(const ready_node&) = delete;
    ~ready_node() { unlink(); }

    bool linked() const noexcept { return next_ != nullptr; }
    void unlink() noexcept {
        if (!next_) return;
        prev_->next_ = next_;
        next_->prev_ = prev_;
        prev_ = next_ = nullptr;
    }

    std::coroutine_handle<> handle;

  private:
    friend class ready_queue;
    ready_node* prev_ = nullptr;
    ready_node* next_ = nullptr;
};

class ready_queue {
  public:
    ready_queue() noexcept { head_.prev_ = head_.next_ = &head_; }
    ready_queue(const ready_queue&) = delete;
    ready_queue& operator=(const ready_queue&) = delete;
    ~ready_queue() {
        while (!empty())
            pop_front();
        head_.prev_ = head_.next_ = nullptr;
    }

    bool empty() const noexcept { return head_.next_ == &head_; }

    void push_back(ready_node& n) noexcept {
        assert(!n.linked() && "a coroutine was made runnable twice");
        n.prev_ = head_.prev_;
        n.next_ = &head_;
        head_.prev_->next_ = &n;
        head_.prev_ = &n;
    }

    /// Moves every node of `other` to the back of this queue.
    void splice_back(ready_queue& other) noexcept {
        if (other.empty()) return;
        link_between(other, head_.prev_, &head_);
    }
    /// Moves every node of `other` to the front of this queue, keeping their order.
    void splice_front(ready_queue& other) noexcept {
        if (other.empty()) return;
        link_between(other, &head_, head_.next_);
    }

    ready_node* pop_front() noexcept {
        if (empty()) return nullptr;
        ready_node* n = head_.next_;
        n->unlink();
        return n;
    }

  private:
    // Moves `other`'s nodes between `before` and `after` (neighbours in this queue).
    void link_between(ready_queue& other, ready_node* before, ready_node* after) noexcept {
        ready_node* first = other.head_.next_;
        ready_node* last = other.head_.prev_;
        other.head_.prev_ = other.head_.next_ = &other.head_;
        before->next_ = first;
        first->prev_ = before;
        last->next_ = after;
        after->prev_ = last;
    }

    ready_node head_;
};

} // namespace eddy::detail
