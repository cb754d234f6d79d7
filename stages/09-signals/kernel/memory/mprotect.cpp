// mprotect: changing what may be done with memory mmap handed out.
//
// Go's runtime never calls it (it changes protections by mapping again: sysFault is
// mmap(PROT_NONE, MAP_FIXED)); programs do, through syscall.Mprotect, to make memory read-only
// and catch the writes (with debug.SetPanicOnFault such a fault is a Go panic, delivered by
// signals/deliver.cpp).  As Linux's mprotect(2) does:
//   - the start must be page aligned (EINVAL) and every page of the range mapped (ENOMEM);
//   - areas are split where the range cuts them and merge with equal neighbours afterwards;
//   - contents are kept: PROT_NONE over committed pages parks their frames (vma.hpp), and
//     access given back finds the same data;
//   - access given to a reservation commits it, charged as mmap charges a commit, so the
//     promise (address_space.hpp) holds: ENOMEM when it cannot cover the new pages (Linux's
//     accounting of a private writable mapping under vm.overcommit_memory=2).
// Book: chapter 09-signals (book/stages/09-signals.md).
#include "../address.hpp"
#include "../syscalls/errno.hpp"
#include "address_space.hpp"

namespace kernel::memory {
namespace {

using namespace kernel::syscalls;

}  // namespace

long AddressSpace::pages_to_charge(uint64_t addr, uint64_t end, uint32_t prot) {
    uint64_t pages = 0;
    for (uint64_t cursor = addr; cursor < end;) {
        const Vma* a = areas_.find(cursor);
        if (a == nullptr) {
            set_note("no mapping contains 0x%lx", cursor);
            return -kENOMEM;
        }
        if (a->kind == VmaKind::Kernel) {
            set_note("the range overlaps the kernel's own area");
            return -kEACCES;
        }
        uint64_t piece_end = a->end < end ? a->end : end;
        if (!a->committed() && prot != PROT_NONE && !a->noreserve) pages += (piece_end - cursor) / kPageSize;
        cursor = piece_end;
    }
    return static_cast<long>(pages);
}

long AddressSpace::mprotect(uint64_t addr, uint64_t length, uint32_t prot) {
    note_[0] = '\0';
    if (addr % kPageSize != 0) {
        set_note("the address must be page aligned");
        return -kEINVAL;
    }
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) {
        set_note("unknown protection bits (PROT_GROWSDOWN and PROT_GROWSUP do not exist here)");
        return -kEINVAL;
    }
    if (length == 0) return 0;
    if (length > limits_.ceiling || addr > limits_.ceiling - length) {
        set_note("the range leaves the address space");
        return -kENOMEM;
    }
    uint64_t end = (addr + length + kPageSize - 1) & ~(kPageSize - 1);
    long charge = pages_to_charge(addr, end, prot);
    if (charge < 0) return charge;
    if (charge > 0) {
        uint64_t promised = promised_pages() + static_cast<uint64_t>(charge);
        uint64_t free = pages_.free_frames();
        if (promised + limits_.reserve_frames > free) {
            set_note("out of memory: committing %ld reserved pages; %lu frames free, %lu already promised to committed "
                     "memory and %lu kept for page tables",
                     charge, free, promised - static_cast<uint64_t>(charge), limits_.reserve_frames);
            return -kENOMEM;
        }
    }
    // At most two areas more: the ends of the range may each split one.  Pieces in between
    // are replaced whole (and may merge), so checking once keeps the change all-or-nothing.
    if (areas_.count() + 2 > VmaSet::kCapacity) {
        set_note("too many memory areas (%zu)", areas_.count());
        return -kENOMEM;
    }
    uint64_t changed = 0;
    for (uint64_t cursor = addr; cursor < end;) {
        Vma piece = *areas_.find(cursor);
        piece.start = cursor;
        if (piece.end > end) piece.end = end;
        bool had_frames = piece.committed();  // a reservation has none to change
        piece.prot = prot;
        piece.parked = had_frames && prot == PROT_NONE;
        if (had_frames)
            for (uint64_t va = piece.start; va < piece.end; va += kPageSize)
                if (pages_.protect(va, prot)) ++changed;
        // Without on_removed: the frames stay with the pages, only the area's rights change.
        areas_.remove(piece.start, piece.end);
        areas_.insert(piece);
        cursor = piece.end;
    }
    bool one = changed == 1;
    if (prot == PROT_NONE)
        set_note(one ? "no access; %lu page keeps its frame until access is given back"
                     : "no access; %lu pages keep their frames until access is given back",
                 changed);
    else if (charge > 0) set_note("%ld reserved page%s committed, frames on first touch", charge, charge == 1 ? "" : "s");
    else set_note(one ? "%lu page with a frame changed" : "%lu pages with frames changed", changed);
    return 0;
}

}  // namespace kernel::memory
