// The address space the Go runtime sees: mmap, munmap, madvise, mprotect and demand paging.
//
// Policy lives here (where a mapping goes, what is reserved or committed, what memory is
// promised); the page-table work is behind PageOps, which the kernel implements with Xen's
// MMU hypercalls (page_tables.cpp) and the host tests with a fake.
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../address.hpp"
#include "vma.hpp"

namespace kernel::memory {

// Linux's values (include/uapi/asm-generic/mman-common.h, mman.h).
inline constexpr uint32_t MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20,
                          MAP_NORESERVE = 0x4000, MAP_FIXED_NOREPLACE = 0x100000;
inline constexpr int MADV_NORMAL = 0, MADV_DONTNEED = 4, MADV_FREE = 8, MADV_HUGEPAGE = 14,
                     MADV_NOHUGEPAGE = 15, MADV_POPULATE_READ = 22, MADV_POPULATE_WRITE = 23;

class PageOps {
public:
    // Maps a fresh zeroed frame at va; false when no frame is left.
    virtual bool map_zeroed(uint64_t va, bool writable) = 0;
    // Unmaps va and frees its frame; false if nothing was mapped there.
    virtual bool unmap(uint64_t va) = 0;
    // True if va's page has a frame (accessible or parked by mprotect(PROT_NONE)).
    virtual bool is_mapped(uint64_t va) = 0;
    // Gives va's page, if it has a frame, the access prot allows: read-only, read-write, or
    // none (the frame stays the page's, unreachable until access is given back).  False when
    // va has no frame: nothing to change, its first touch will map one with the area's rights.
    virtual bool protect(uint64_t va, uint32_t prot) = 0;
    virtual size_t free_frames() const = 0;

protected:
    ~PageOps() = default;
};

struct Limits {
    uint64_t floor;         // lowest address mmap hands out (above the kernel image)
    uint64_t ceiling;       // exclusive: end of the lower canonical half, 0x800000000000
    uint64_t placement_top; // where mappings without a usable hint go, downwards (like Linux)
    uint64_t reserve_frames;  // frames kept back for the page tables that demand faults need
};

struct Stats {
    uint64_t reserved_bytes;
    uint64_t committed_bytes;
    uint64_t resident_pages;  // committed pages that have a frame
    uint64_t faults;          // demand-paging faults served
    uint64_t promised_pages;  // charged pages not touched yet: each still has a free frame waiting
};

// The promise.  A committed mapping is charged: mmap succeeds only if every page of every
// charged mapping can still get a frame -- the untouched charged pages ("promised") plus
// reserve_frames never exceed the free frames -- so a program that touches what it committed
// never meets a fault with no frame; it meets ENOMEM at mmap, which Go reports as its own
// "out of memory" (Linux's vm.overcommit_memory=2 with nothing to overcommit).  A mapping made
// with MAP_NORESERVE is not charged: its pages take frames on first touch only from what is
// not promised, and when none is left the fault is an out-of-memory error, as Linux's mmap(2)
// warns ("one might get SIGSEGV upon a write if no physical memory is available").  Go's
// runtime maps its sparse bookkeeping that way (go-patches/0007).
//
// Nothing is backed at mmap time: pages get frames on first touch, or all at once with
// madvise(MADV_POPULATE_WRITE), which Go's runtime calls on the memory it makes a stack of
// (go-patches/0007) because a PV guest cannot take a fault on its own stack.

class AddressSpace {
public:
    AddressSpace(PageOps& pages, const Limits& limits) : pages_(pages), limits_(limits) {}

    // Marks [start, end) as the kernel's (image, direct map): mmap never goes there.
    bool reserve_kernel(uint64_t start, uint64_t end);

    // The system calls; results as Linux returns them (address, 0 or -errno).
    long mmap(uint64_t addr, uint64_t length, uint32_t prot, uint32_t flags, int64_t fd, uint64_t offset);
    long munmap(uint64_t addr, uint64_t length);
    long madvise(uint64_t addr, uint64_t length, int advice);
    long mprotect(uint64_t addr, uint64_t length, uint32_t prot);  // mprotect.cpp

    // True if addr lies in memory mmap handed out, whatever its protection: a fault there is
    // an access error (SIGSEGV's SEGV_ACCERR), elsewhere a missing mapping (SEGV_MAPERR).
    bool is_program_memory(uint64_t addr) const {
        const Vma* a = areas_.find(addr);
        return a != nullptr && a->kind == VmaKind::Anonymous;
    }

    // A page fault at addr: maps a zeroed frame if addr is in a committed area that allows the
    // access and the page is not mapped yet.  False when the fault is a real error.
    bool handle_fault(uint64_t addr, bool write, bool page_present);

    // Frames the kernel may take for itself (device buffers) without breaking the promise.
    uint64_t unpromised_frames() const;

    // Why the last call failed or what it decided, for the log ("reserved", "out of memory:
    // asked 64 MiB, 3 MiB free of ..."); empty when there is nothing to add.
    const char* note() const { return note_; }
    // After a handle_fault that failed: true if it failed for want of a frame (its note then
    // begins "out of memory:"), which is no error of the program's (traps.cpp).
    bool out_of_memory() const {
        constexpr char kPrefix[] = "out of memory:";
        for (size_t i = 0; i + 1 < sizeof kPrefix; ++i)
            if (note_[i] != kPrefix[i]) return false;
        return true;
    }

    const VmaSet& areas() const { return areas_; }
    Stats stats() const {
        return Stats{areas_.reserved_bytes(), areas_.committed_bytes(), resident_, faults_, promised_pages()};
    }

private:
    static void on_removed(void* self, const Vma& piece);
    void set_note(const char* fmt, ...) __attribute__((format(printf, 2, 3)));
    uint64_t choose_address(uint64_t hint, uint64_t length, uint32_t flags, long* error);
    uint64_t promised_pages() const { return areas_.charged_bytes() / kPageSize - charged_resident_; }
    long populate(uint64_t addr, uint64_t length, bool write);
    // mprotect's check of the promise: the pages of reservations in [addr, end) that prot
    // would commit, or -errno (with the note set) when the range is not all program memory.
    long pages_to_charge(uint64_t addr, uint64_t end, uint32_t prot);
    // Maps a zeroed frame at the page va of area a, keeping the counts.  The promise is kept
    // here, for every caller: a MAP_NORESERVE page takes only a frame nobody was promised.
    enum class Backing { Done, AllPromised, NoFrame };
    Backing back_page(const Vma& a, uint64_t va);

    PageOps& pages_;
    Limits limits_;
    VmaSet areas_;
    uint64_t resident_ = 0;
    uint64_t charged_resident_ = 0;  // of resident_, the pages of charged areas
    uint64_t faults_ = 0;
    char note_[160] = {};
};

}  // namespace kernel::memory
