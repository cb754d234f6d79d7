// The kernel's memory: frames, page tables and the Go program's address space, set up once.
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include "../address.hpp"
#include "../xen.hpp"
#include "address_space.hpp"

namespace kernel::memory {

// Frees every frame Xen's boot layout does not use, extends the direct map over all of them
// and prepares the address space.  Prints one summary line.
void init(const start_info& si);

// The kernel heap's memory (heap_arena.cpp), taken by init(): one run of frames, sized from
// the guest's memory.
void kernel_heap(void** base, size_t* bytes);

// Unmaps (guard) and maps again (unguard) one page-aligned page of the kernel heap, the page
// kept below a thread's stacks so that an overflow stops there (kernel_stack.cpp).
void guard_page(void* page);
void unguard_page(void* page);

// True once init() has run (a page fault before that is always fatal).
bool ready();
AddressSpace& address_space();

// A frame for a device (a shared ring, a network buffer): zeroed and reachable through the
// direct map at pfn_to_virt(*out).  False when no frame is left that Go was not promised.
// A device keeps its buffers for the life of the domain, unless setting it up fails half-way.
bool allocate_frame(Pfn* out);
// Gives back a frame allocate_frame handed out (a device that could not be set up).  No grant
// may still name it: the other domain could write into whatever uses the frame next.
void free_frame(Pfn pfn);
// The machine frame behind one of our frames (start_info.mfn_list): what a grant names.
Mfn machine_frame(Pfn pfn);
// Frames not in use.
size_t free_frames();

// "memory: 648 MiB reserved, 43 MiB committed, 2107 pages resident (16 demand faults), 900 pages promised,
// 4566 frames free"
void print_stats(const char* prefix);

}  // namespace kernel::memory
