// The sanitizer calls a stack switch needs, as no-ops in builds without the sanitizer.
// AddressSanitizer must be told which stack the thread runs on (its checks and its fake
// stacks depend on it); ThreadSanitizer keeps a separate state per fiber.
#pragma once

#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EDDY_FIBER_ASAN 1
#endif
#if __has_feature(thread_sanitizer)
#define EDDY_FIBER_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EDDY_FIBER_ASAN 1
#endif
#if defined(__SANITIZE_THREAD__)
#define EDDY_FIBER_TSAN 1
#endif

#if EDDY_FIBER_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif
#if EDDY_FIBER_TSAN
#include <sanitizer/tsan_interface.h>
#endif

namespace eddy::fiber::detail {

/// Before leaving the current stack for [bottom, bottom + size): `fake_stack` keeps this
/// stack's fake frames (null when the stack is left for good).
inline void asan_start_switch(void** fake_stack, const void* bottom, std::size_t size) noexcept {
#if EDDY_FIBER_ASAN
    __sanitizer_start_switch_fiber(fake_stack, bottom, size);
#else
    (void)fake_stack, (void)bottom, (void)size;
#endif
}

/// On arrival: `fake_stack` is what this stack saved when it was left; the stack that was
/// left is returned through `from_bottom` and `from_size` (when not null).
inline void asan_finish_switch(void* fake_stack, const void** from_bottom,
                               std::size_t* from_size) noexcept {
#if EDDY_FIBER_ASAN
    __sanitizer_finish_switch_fiber(fake_stack, from_bottom, from_size);
#else
    (void)fake_stack, (void)from_bottom, (void)from_size;
#endif
}

/// Clears AddressSanitizer's poison from a stack that a fiber is done with.
inline void unpoison_stack(void* bottom, std::size_t size) noexcept {
#if EDDY_FIBER_ASAN
    __asan_unpoison_memory_region(bottom, size);
#else
    (void)bottom, (void)size;
#endif
}

inline void* tsan_create_fiber() noexcept {
#if EDDY_FIBER_TSAN
    return __tsan_create_fiber(0);
#else
    return nullptr;
#endif
}
inline void* tsan_current_fiber() noexcept {
#if EDDY_FIBER_TSAN
    return __tsan_get_current_fiber();
#else
    return nullptr;
#endif
}
inline void tsan_switch_to(void* fiber) noexcept {
#if EDDY_FIBER_TSAN
    __tsan_switch_to_fiber(fiber, 0);
#else
    (void)fiber;
#endif
}
inline void tsan_destroy_fiber(void* fiber) noexcept {
#if EDDY_FIBER_TSAN
    if (fiber) __tsan_destroy_fiber(fiber);
#else
    (void)fiber;
#endif
}

} // namespace eddy::fiber::detail
