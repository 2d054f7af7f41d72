// A minimal intrusive doubly linked list: the element derives from `list_hook`, so
// registering an object with its core (a socket, a spawned task, a queued coroutine)
// allocates nothing, and the object unlinks itself when it is destroyed.
#pragma once

#include <cassert>

namespace eddy::detail {

class list_hook {
  public:
    list_hook() = default;
    list_hook(const list_hook&) = delete;
    list_hook& operator=(const list_hook&) = delete;
    ~list_hook() { unlink(); }

    bool linked() const noexcept { return next_ != nullptr; }
    void unlink() noexcept {
        if (!next_) return;
        prev_->next_ = next_;
        next_->prev_ = prev_;
        prev_ = next_ = nullptr;
    }

  private:
    template <class T> friend class intrusive_list;
    list_hook* prev_ = nullptr;
    list_hook* next_ = nullptr;
};

/// A list of `T`s, where `T` derives from `list_hook`.
template <class T> class intrusive_list {
  public:
    intrusive_list() noexcept { head_.prev_ = head_.next_ = &head_; }
    intrusive_list(const intrusive_list&) = delete;
    intrusive_list& operator=(const intrusive_list&) = delete;
    ~intrusive_list() {
        while (!empty())
            head_.next_->unlink();
        head_.prev_ = head_.next_ = nullptr;
    }

    bool empty() const noexcept { return head_.next_ == &head_; }

    /// Links `item`, which must not be in a list.
    void push_back(T& item) noexcept {
        list_hook& h = item;
        assert(!h.linked() && "an item put in a list twice");
        h.prev_ = head_.prev_;
        h.next_ = &head_;
        head_.prev_->next_ = &h;
        head_.prev_ = &h;
    }

    /// Moves every item of `other` to the back of this list.
    void splice_back(intrusive_list& other) noexcept {
        if (!other.empty()) link_between(other, head_.prev_, &head_);
    }
    /// Moves every item of `other` to the front of this list, keeping their order.
    void splice_front(intrusive_list& other) noexcept {
        if (!other.empty()) link_between(other, &head_, head_.next_);
    }

    T* front() noexcept { return empty() ? nullptr : static_cast<T*>(head_.next_); }
    /// Unlinks the first item and gives it; null when the list is empty.
    T* pop_front() noexcept {
        T* item = front();
        if (item) static_cast<list_hook*>(item)->unlink();
        return item;
    }

    /// Calls `f(item)` for every item; `f` may unlink (or destroy) the item it is given.
    template <class F> void for_each(F&& f) {
        list_hook* h = head_.next_;
        while (h != &head_) {
            list_hook* next = h->next_;
            f(*static_cast<T*>(h));
            h = next;
        }
    }

  private:
    // Moves `other`'s items between `before` and `after` (neighbours in this list).
    void link_between(intrusive_list& other, list_hook* before, list_hook* after) noexcept {
        list_hook* first = other.head_.next_;
        list_hook* last = other.head_.prev_;
        other.head_.prev_ = other.head_.next_ = &other.head_;
        before->next_ = first;
        first->prev_ = before;
        last->next_ = after;
        after->prev_ = last;
    }

    list_hook head_;
};

} // namespace eddy::detail
