#include "eddy/signal/hangup.hpp"

#include "signal_wait.hpp"

namespace eddy::signal {

task<result<int>> hangup() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    return detail::wait_for(signals);
}

} // namespace eddy::signal
