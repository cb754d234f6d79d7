// The kernel's heap: a first-fit free-list allocator over one fixed region.
//
// It serves malloc/free for Go's C glue (runtime/cgo allocates thread-start records and
// pthread attributes) and the kernel's own thread stacks and thread records.  heap_arena.cpp
// says where the region is and how big.
//
// Blocks carry a 16-byte header; free blocks form an address-ordered list so that freeing
// merges neighbours and the heap does not fragment into slivers.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace kernel::heap {

class Allocator {
public:
    // Takes over [base, base + size).  base is rounded up to 16 bytes.
    void init(void* base, size_t size);

    // 16-byte aligned memory of at least `size` bytes, or nullptr when no free block is big enough.
    void* allocate(size_t size);
    // Gives a block back; nullptr is ignored.  Returns false (and changes nothing) for a pointer
    // this heap did not hand out or that was already freed.
    bool free(void* p);

    size_t free_bytes() const;     // sum of all free blocks' payloads
    size_t largest_free() const;   // the biggest allocation that can succeed right now
    size_t block_count() const;    // free blocks (fragmentation indicator for tests)

private:
    struct Block;
    Block* free_list_ = nullptr;
    uintptr_t start_ = 0, end_ = 0;
};

// The kernel's single heap (its memory: see heap_arena.cpp).
Allocator& kernel();

}  // namespace kernel::heap
