// A kernel stack with an unmapped guard page below it.
//
// Stacks grow down, and a PV kernel has no stack switch for its own faults: Xen writes the
// exception frame at the faulting rsp.  Without a guard page an overflowing thread stack runs
// silently into whatever the heap put below it (another thread's stack, a system-call stack).
// With one, the first push into the guard page faults, Xen cannot write the frame there either
// and crashes the domain (`domain_crash_sync` in its log), and the checker names the overflow
// from Xen's account.  Each stack costs one extra page of heap for the guard and up to one for
// alignment.  The boot stack has a guard of its own (arch/boot.S, traps::guard_pages).
//
// This kernel has no page-table code: the heap is an array inside the image, which Xen maps
// 1:1 (virtual = pseudo-physical address, boot.S's VIRT_BASE 0), so a guard page is unmapped
// and mapped again with one update_va_mapping each, its entry rebuilt from Xen's pfn -> mfn list.
// Book: chapter 03-tls (book/stages/03-tls.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "address.hpp"
#include "xen.hpp"

namespace kernel {

struct GuardedStack {
    void* block = nullptr;  // what the heap handed out; nullptr: no stack
    void* base = nullptr;   // the stack's lowest byte, the first above the guard page
    size_t size = 0;        // usable bytes from base up

    uint64_t top() const { return (reinterpret_cast<uint64_t>(base) + size) & ~uint64_t{15}; }
    uint64_t guard() const { return reinterpret_cast<uint64_t>(base) - kPageSize; }
};

// Keeps Xen's pfn -> mfn list, which mapping a guard page again needs; before the first stack.
void init_stacks(const start_info& si);

// Takes size bytes (rounded up to whole pages) plus a guard page from the kernel heap and
// unmaps the guard; false, with nothing taken, when the heap has no room.
bool allocate_stack(size_t size, GuardedStack* out);

// Maps the guard page again and gives the memory back to the heap; an empty stack is ignored.
void release_stack(GuardedStack* s);

}  // namespace kernel
