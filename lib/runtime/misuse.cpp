#include "eddy/runtime/detail/misuse.hpp"

#include "eddy/runtime/detail/log.hpp"
#include "eddy/runtime/detail/scheduler.hpp"

#include <cstdlib>

namespace eddy::detail {

void misuse(const char* what) noexcept {
    log().critical("{}", what);
    log().flush();
    std::abort();
}

void check_owner(const scheduler& owner, const char* what) noexcept {
    const scheduler* here = current_scheduler_or_null();
    if (!here || here == &owner) return;
    used_on_other_core(what, owner.index(), false, here->index());
}

void used_on_other_core(const char* what, std::size_t owner, bool owner_gone,
                        std::size_t here) noexcept {
    if (owner_gone)
        log().critical("{} of core {} of a runtime that is gone was used from core {}: it "
                       "stays on the core that made it",
                       what, owner, here);
    else
        log().critical("{} of core {} was used from core {}: it stays on the core that made it "
                       "(a socket moves with into_fd and from_fd)",
                       what, owner, here);
    log().flush();
    std::abort();
}

} // namespace eddy::detail
