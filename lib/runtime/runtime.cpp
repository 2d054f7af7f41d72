#include "eddy/runtime/runtime.hpp"

#include <cassert>

namespace eddy {

runtime::runtime(runtime_options opts) : core_(std::make_unique<detail::runtime_core>(opts)) {}

runtime::~runtime() = default;

void runtime::drive(const std::function<bool()>& done) {
    assert(!detail::current_scheduler_or_null() && "block_on inside a running core");
    detail::set_current_scheduler(&core_->core(0));
    try {
        core_->core(0).run_until(done);
    } catch (...) {
        detail::set_current_scheduler(nullptr);
        throw;
    }
    detail::set_current_scheduler(nullptr);
}

} // namespace eddy
