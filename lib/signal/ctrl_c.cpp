#include "eddy/signal/ctrl_c.hpp"

#include "signal_wait.hpp"

namespace eddy::signal {

task<result<int>> ctrl_c() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    return detail::wait_for(signals);
}

} // namespace eddy::signal
