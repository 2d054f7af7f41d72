// `fiber::unwinding`: what a fiber's pending wait throws when the fiber is destroyed while it
// waits (its join handle aborted, or the runtime torn down), so that its stack unwinds and
// the destructors of what is on it run.
//
//     try {
//         parse(stream);                        // waits with fiber::await inside
//     } catch (const eddy::fiber::unwinding&) {
//         throw;                                // a catch (...) in a fiber must rethrow it
//     } catch (...) {
//         log_and_go_on();
//     }
#pragma once

namespace eddy::fiber {

/// Thrown inside a fiber whose task is destroyed while it waits. Not a `std::exception`; a
/// `catch (...)` inside a fiber must rethrow it, or the next wait throws it again.
struct unwinding {};

} // namespace eddy::fiber
