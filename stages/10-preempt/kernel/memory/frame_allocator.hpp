// The page-frame allocator: which of the guest's pseudo-physical pages are free.
//
// A PV guest owns nr_pages frames, numbered 0..nr_pages-1 (start_info.nr_pages); Xen's domain
// builder has already put the kernel image, the boot structures and the bootstrap page tables
// into the first ones.  One bit per frame (1 = free); allocation takes the lowest free frame,
// which keeps early allocations inside the part of memory Xen mapped for us at boot.
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../address.hpp"

namespace kernel::memory {

class FrameAllocator {
public:
    // bitmap must hold (max_frames + 63) / 64 words.  All frames start out used.
    void init(uint64_t* bitmap, size_t max_frames);

    // Marks [first, first + count) free (clipped to max_frames).
    void add_free(Pfn first, size_t count);

    // The lowest free frame, now used; false when none is left.
    bool allocate(Pfn* out);
    // The lowest run of `count` contiguous free frames, now used; false when there is none.
    bool allocate_run(size_t count, Pfn* first);
    // Gives a frame back; false (and nothing changes) if it was free already or out of range.
    bool free(Pfn pfn);
    bool is_free(Pfn pfn) const;

    size_t free_count() const { return free_; }
    size_t max_frames() const { return max_; }

private:
    uint64_t* bits_ = nullptr;
    size_t max_ = 0;
    size_t free_ = 0;
    size_t search_from_ = 0;  // no free frame below this word index
};

}  // namespace kernel::memory
