// The memory behind kernel::heap::kernel(): a fixed array in .bss.
//
// 4 MiB holds the thread stacks (64 KiB a pthread, 256 KiB for rt0's initialize_go, each with a
// guard page, kernel_stack.hpp), the kernel's per-thread system-call stacks and Go's few C
// allocations, with room to spare for more threads.  Xen maps all of
// .bss at boot, so it is usable before any page table work.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "heap.hpp"

namespace kernel::heap {
namespace {
constexpr size_t kArenaSize = 4 << 20;
alignas(4096) char g_arena[kArenaSize];
constinit Allocator g_heap;
bool g_ready = false;
}  // namespace

Allocator& kernel() {
    if (!g_ready) {
        g_heap.init(g_arena, sizeof g_arena);
        g_ready = true;
    }
    return g_heap;
}

}  // namespace kernel::heap
