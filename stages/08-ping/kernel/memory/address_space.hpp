// The address space the Go runtime sees: mmap, munmap, madvise and demand paging.
//
// Policy lives here (where a mapping goes, what is reserved or committed, what the commit
// limit allows); the page-table work is behind PageOps, which the kernel implements with Xen's
// MMU hypercalls (page_tables.cpp) and the host tests with a fake.
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "vma.hpp"

namespace kernel::memory {

// Linux's values (include/uapi/asm-generic/mman-common.h, mman.h).
inline constexpr uint32_t MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
                          MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
inline constexpr int MADV_NORMAL = 0, MADV_DONTNEED = 4, MADV_FREE = 8, MADV_HUGEPAGE = 14,
                     MADV_NOHUGEPAGE = 15;

class PageOps {
public:
    // Maps a fresh zeroed frame at va; false when no frame is left.
    virtual bool map_zeroed(uint64_t va, bool writable) = 0;
    // Unmaps va and frees its frame; false if nothing was mapped there.
    virtual bool unmap(uint64_t va) = 0;
    virtual size_t free_frames() const = 0;

protected:
    ~PageOps() = default;
};

struct Limits {
    uint64_t floor;         // lowest address mmap hands out (above the kernel image)
    uint64_t ceiling;       // exclusive: end of the lower canonical half, 0x800000000000
    uint64_t placement_top; // where mappings without a usable hint go, downwards (like Linux)
    uint64_t commit_limit;  // bytes of committed anonymous memory allowed in all
};

struct Stats {
    uint64_t reserved_bytes;
    uint64_t committed_bytes;
    uint64_t resident_pages;  // committed pages that have a frame
    uint64_t faults;          // demand-paging faults served
};

class AddressSpace {
public:
    AddressSpace(PageOps& pages, const Limits& limits) : pages_(pages), limits_(limits) {}

    // Marks [start, end) as the kernel's (image, direct map): mmap never goes there.
    bool reserve_kernel(uint64_t start, uint64_t end);

    // The system calls; results as Linux returns them (address, 0 or -errno).
    long mmap(uint64_t addr, uint64_t length, uint32_t prot, uint32_t flags, int64_t fd, uint64_t offset);
    long munmap(uint64_t addr, uint64_t length);
    long madvise(uint64_t addr, uint64_t length, int advice);

    // A page fault at addr: maps a zeroed frame if addr is in a committed area that allows the
    // access and the page is not mapped yet.  False when the fault is a real error.
    bool handle_fault(uint64_t addr, bool write, bool page_present);

    // Why the last call failed or what it decided, for the log ("reserved", "out of memory:
    // asked 64 MiB, 3 MiB free of ..."); empty when there is nothing to add.
    const char* note() const { return note_; }

    const VmaSet& areas() const { return areas_; }
    Stats stats() const { return Stats{areas_.reserved_bytes(), areas_.committed_bytes(), resident_, faults_}; }

private:
    static void on_removed(void* self, const Vma& piece);
    void set_note(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    uint64_t choose_address(uint64_t hint, uint64_t length, uint32_t flags, long* error);

    PageOps& pages_;
    Limits limits_;
    VmaSet areas_;
    uint64_t resident_ = 0;
    uint64_t faults_ = 0;
    char note_[160] = {};
};

}  // namespace kernel::memory
