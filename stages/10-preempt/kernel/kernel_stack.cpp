// Kernel stacks with guard pages (see kernel_stack.hpp).
#include "kernel_stack.hpp"

#include "heap.hpp"
#include "memory/memory.hpp"

namespace kernel {
namespace {

uint64_t round_up(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

}  // namespace

bool allocate_stack(size_t size, GuardedStack* out) {
    size_t usable = round_up(size);
    // The heap aligns to 16 bytes: up to a page of slack puts the guard on a page boundary.
    void* block = heap::kernel().allocate(usable + 2 * kPageSize);
    if (!block) return false;
    uint64_t guard = round_up(reinterpret_cast<uint64_t>(block));
    memory::guard_page(reinterpret_cast<void*>(guard));
    *out = GuardedStack{block, reinterpret_cast<void*>(guard + kPageSize), usable};
    return true;
}

void release_stack(GuardedStack* s) {
    if (!s->block) return;
    // Mapped again before the heap writes its free-list header into the block or reuses it.
    memory::unguard_page(reinterpret_cast<void*>(s->guard()));
    heap::kernel().free(s->block);
    *s = GuardedStack{};
}

}  // namespace kernel
