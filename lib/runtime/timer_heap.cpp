#include "eddy/runtime/detail/timer_heap.hpp"

#include <cassert>

namespace eddy::detail {

void timer_heap::insert(timer_node& n, clock::time_point deadline) {
    assert(!n.armed());
    n.deadline_ = deadline;
    nodes_.push_back(&n);
    n.index_ = nodes_.size() - 1;
    sift_up(n.index_);
}

void timer_heap::remove(timer_node& n) noexcept {
    if (!n.armed()) return;
    std::size_t i = n.index_;
    timer_node* last = nodes_.back();
    nodes_.pop_back();
    n.index_ = timer_node::npos;
    if (last == &n) return;
    place(i, last);
    sift_up(i);
    sift_down(last->index_);
}

timer_node* timer_heap::pop_expired(clock::time_point now) noexcept {
    if (nodes_.empty() || nodes_.front()->deadline_ > now) return nullptr;
    timer_node* n = nodes_.front();
    remove(*n);
    return n;
}

void timer_heap::sift_up(std::size_t i) noexcept {
    timer_node* n = nodes_[i];
    while (i > 0) {
        std::size_t parent = (i - 1) / 2;
        if (nodes_[parent]->deadline_ <= n->deadline_) break;
        place(i, nodes_[parent]);
        i = parent;
    }
    place(i, n);
}

void timer_heap::sift_down(std::size_t i) noexcept {
    timer_node* n = nodes_[i];
    const std::size_t size = nodes_.size();
    for (;;) {
        std::size_t child = 2 * i + 1;
        if (child >= size) break;
        if (child + 1 < size && nodes_[child + 1]->deadline_ < nodes_[child]->deadline_) ++child;
        if (n->deadline_ <= nodes_[child]->deadline_) break;
        place(i, nodes_[child]);
        i = child;
    }
    place(i, n);
}

} // namespace eddy::detail
