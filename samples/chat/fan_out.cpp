#include "fan_out.hpp"

#include <utility>

namespace eddy::samples::chat {

void directory::enlist(hub_sender hub, gate_sender gate) {
    entries_[eddy::current_core()].emplace(entry{std::move(hub), std::move(gate)});
    // acq_rel: the last to enlist sees every entry written before the others counted.
    if (enlisted_.fetch_add(1, std::memory_order_acq_rel) + 1 == cores_) hand_round();
}

void directory::hand_round() {
    std::vector<std::vector<hub_sender>> lists(cores_);
    for (auto& list : lists) {
        list.reserve(cores_);
        for (const auto& e : entries_)
            list.push_back(e->hub);
    }
    for (auto& e : entries_)
        hubs_.push_back(std::move(e->hub));
    handed_round_.store(true); // before any core can serve: see shut_down_everywhere
    for (std::size_t core = 0; core < cores_; ++core) {
        // Each gate holds one list and gets exactly one: this cannot fail.
        (void)entries_[core]->gate.try_send(std::move(lists[core]));
    }
    entries_.clear(); // nobody reads them any more
}

bool directory::shut_down_everywhere(eddy::sync::mpsc::sender<int> done) {
    stopping_.store(true);
    if (!handed_round_.load()) return false; // it then sees `stopping_`, before it serves
    for (auto& hub : hubs_)
        (void)hub.send(shutdown_request{done});
    hubs_.clear();
    return true;
}

fan_out::fan_out() : fan_out(eddy::sync::mpsc::unbounded_channel<hub_message>()) {}

fan_out::fan_out(hub_channel hub)
    : hub_(std::move(hub.second)), own_(std::move(hub.first)), here_(eddy::current_core()) {}

eddy::task<> fan_out::meet(directory& d) {
    auto [gate, everyone] = eddy::sync::mpsc::channel<std::vector<hub_sender>>(1);
    d.enlist(std::move(*own_), std::move(gate));
    own_.reset();
    auto hubs = co_await everyone.recv();
    if (hubs) hubs_ = std::move(*hubs);
}

void fan_out::publish(const shared_line& line) {
    for (std::size_t core = 0; core < hubs_.size(); ++core)
        if (core != here_) (void)hubs_[core].send(std::string(line.text()));
}

} // namespace eddy::samples::chat
