// The memory behind kernel::heap::kernel(): a run of frames that memory::init takes, sized
// from the guest's memory (an eighth of it, 512 KiB to 4 MiB), so the image carries no empty
// arena and a small guest does not lose 4 MiB to it.
// Book: chapters 02-rt0 and 04-mmap (book/stages/02-rt0.md, book/stages/04-mmap.md).
#include "heap.hpp"
#include "memory/memory.hpp"

namespace kernel::heap {
namespace {
constinit Allocator g_heap;
bool g_ready = false;
}  // namespace

Allocator& kernel() {
    if (!g_ready) {
        void* base = nullptr;
        size_t bytes = 0;
        memory::kernel_heap(&base, &bytes);  // panics if memory::init has not run
        g_heap.init(base, bytes);
        g_ready = true;
    }
    return g_heap;
}

}  // namespace kernel::heap
