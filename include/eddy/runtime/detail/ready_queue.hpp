// The per-core run queue: an intrusive list of nodes that live inside the waiting operations
// themselves (an awaiter in a coroutine frame), so making a coroutine runnable allocates
// nothing, and an operation destroyed while queued (its task was cancelled) takes itself out
// of the queue in its destructor.
#pragma once

#include "eddy/runtime/detail/intrusive_list.hpp"

#include <coroutine>

namespace eddy::detail {

/// A coroutine that can be queued to run.
class ready_node : public list_hook {
  public:
    std::coroutine_handle<> handle;
};

using ready_queue = intrusive_list<ready_node>;

} // namespace eddy::detail
