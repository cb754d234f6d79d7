// A kernel stack with an unmapped guard page below it.
//
// Stacks grow down, and a PV kernel has no stack switch for its own faults: Xen writes the
// exception frame at the faulting rsp.  Without a guard page an overflowing thread stack runs
// silently into whatever the heap put below it (another thread's stack, a TLS block).  With
// one, the first push into the guard page faults, Xen cannot write the frame there either and
// crashes the domain (`domain_crash_sync` in its log), and the checker names the overflow from
// Xen's account.  Each stack costs one extra page of heap for the guard and up to one for
// alignment.  The boot and trap stacks have guards of their own (arch/boot.S,
// arch/trap_entry.S, traps::guard_pages).
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "address.hpp"

namespace kernel {

struct GuardedStack {
    void* block = nullptr;  // what the heap handed out; nullptr: no stack
    void* base = nullptr;   // the stack's lowest byte, the first above the guard page
    size_t size = 0;        // usable bytes from base up

    uint64_t top() const { return (reinterpret_cast<uint64_t>(base) + size) & ~uint64_t{15}; }
    uint64_t guard() const { return reinterpret_cast<uint64_t>(base) - kPageSize; }
};

// Takes size bytes (rounded up to whole pages) plus a guard page from the kernel heap and
// unmaps the guard; false, with nothing taken, when the heap has no room.
bool allocate_stack(size_t size, GuardedStack* out);

// Maps the guard page again and gives the memory back to the heap; an empty stack is ignored.
void release_stack(GuardedStack* s);

}  // namespace kernel
