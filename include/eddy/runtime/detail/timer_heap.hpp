// A core's timers: a binary min-heap of intrusive nodes ordered by deadline. A node knows
// its own index, so cancelling a timer (its awaiter was destroyed) removes it in O(log n).
#pragma once

#include <chrono>
#include <cstddef>
#include <vector>

namespace eddy::detail {

using clock = std::chrono::steady_clock;

class timer_node {
  public:
    timer_node() = default;
    timer_node(const timer_node&) = delete;
    timer_node& operator=(const timer_node&) = delete;

    bool armed() const noexcept { return index_ != npos; }
    clock::time_point deadline() const noexcept { return deadline_; }

    /// Called by the owning core when the deadline has passed (the node is already removed).
    void (*on_expire)(timer_node*) = nullptr;

  private:
    friend class timer_heap;
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    clock::time_point deadline_{};
    std::size_t index_ = npos;
};

class timer_heap {
  public:
    bool empty() const noexcept { return nodes_.empty(); }
    std::size_t size() const noexcept { return nodes_.size(); }
    clock::time_point next_deadline() const noexcept { return nodes_.front()->deadline_; }

    void insert(timer_node& n, clock::time_point deadline);
    void remove(timer_node& n) noexcept;
    /// Removes and returns the earliest timer whose deadline is at or before `now`.
    timer_node* pop_expired(clock::time_point now) noexcept;

  private:
    void sift_up(std::size_t i) noexcept;
    void sift_down(std::size_t i) noexcept;
    void place(std::size_t i, timer_node* n) noexcept {
        nodes_[i] = n;
        n->index_ = i;
    }

    std::vector<timer_node*> nodes_;
};

} // namespace eddy::detail
