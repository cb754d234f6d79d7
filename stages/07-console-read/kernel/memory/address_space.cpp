// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "address_space.hpp"

#include <stdarg.h>

#include "../address.hpp"
#include "../format.hpp"
#include "../syscalls/errno.hpp"

namespace kernel::memory {
namespace {

using namespace kernel::syscalls;

constexpr uint64_t page_up(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

struct Bytes {  // "64 MiB", "12 KiB", "100 bytes" for notes
    char text[24];
    explicit Bytes(uint64_t n) {
        if (n >= (1u << 20) && n % (1u << 20) == 0) snformat(text, sizeof text, "%lu MiB", n >> 20);
        else if (n >= 1024 && n % 1024 == 0) snformat(text, sizeof text, "%lu KiB", n >> 10);
        else snformat(text, sizeof text, "%lu bytes", n);
    }
};

struct Unmapper {
    PageOps* pages;
    uint64_t* resident;
};

}  // namespace

void AddressSpace::set_note(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    vsnformat(note_, sizeof note_, fmt, args);
    va_end(args);
}

// Frees the frames of the pages a removed committed piece had.
void AddressSpace::on_removed(void* context, const Vma& piece) {
    auto* self = static_cast<AddressSpace*>(context);
    if (!piece.committed()) return;  // a reservation never has frames
    for (uint64_t va = piece.start; va < piece.end; va += kPageSize)
        if (self->pages_.unmap(va)) {
            --self->resident_;
            if (piece.charged()) --self->charged_resident_;
        }
}

AddressSpace::Backing AddressSpace::back_page(const Vma& a, uint64_t va) {
    // lab 04-mmap begin: AddressSpace::back_page
    if (!a.charged() && unpromised_frames() == 0) return Backing::AllPromised;
    if (!pages_.map_zeroed(va, (a.prot & PROT_WRITE) != 0)) return Backing::NoFrame;
    ++resident_;
    if (a.charged()) ++charged_resident_;
    return Backing::Done;
    // lab 04-mmap end
}

uint64_t AddressSpace::unpromised_frames() const {
    uint64_t held = promised_pages() + limits_.reserve_frames;
    uint64_t free = pages_.free_frames();
    return free > held ? free - held : 0;
}

bool AddressSpace::reserve_kernel(uint64_t start, uint64_t end) {
    return areas_.insert(Vma{start & ~(kPageSize - 1), page_up(end), PROT_READ | PROT_WRITE | PROT_EXEC, VmaKind::Kernel});
}

uint64_t AddressSpace::choose_address(uint64_t hint, uint64_t length, uint32_t flags, long* error) {
    bool in_range = hint >= limits_.floor && hint < limits_.ceiling && limits_.ceiling - hint >= length;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (hint % kPageSize != 0 || !in_range) {
            *error = -kEINVAL;
            set_note("a fixed mapping must be page aligned and inside [0x%lx, 0x%lx)", limits_.floor, limits_.ceiling);
            return 0;
        }
        if ((flags & MAP_FIXED_NOREPLACE) && !areas_.is_free(hint, hint + length)) {
            *error = -syscalls::kEEXIST;
            set_note("MAP_FIXED_NOREPLACE and the range is taken");
            return 0;
        }
        return hint;
    }
    // A hint is only a wish (Linux: used if the range is free); Go's heap hints are
    // 0xc000000000, 0x1c000000000, ... and it checks that it got exactly what it asked for.
    hint &= ~(kPageSize - 1);
    if (hint != 0 && in_range && areas_.is_free(hint, hint + length)) return hint;
    uint64_t top = limits_.placement_top;
    uint64_t where = areas_.find_gap_top_down(length, limits_.floor, top);
    if (where == 0) {
        *error = -kENOMEM;
        set_note("out of address space: no free range of %s below 0x%lx", Bytes(length).text, top);
    }
    return where;
}

long AddressSpace::mmap(uint64_t addr, uint64_t length, uint32_t prot, uint32_t flags, int64_t fd, uint64_t offset) {
    note_[0] = '\0';
    if (length == 0 || length > limits_.ceiling) {
        set_note("bad length");
        return -kEINVAL;
    }
    if (!(flags & MAP_ANONYMOUS) || fd != -1 || offset != 0) {
        set_note("only anonymous memory exists here: there are no files to map");
        return -syscalls::kENODEV;
    }
    if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) {
        set_note("unknown protection bits");
        return -kEINVAL;
    }
    length = page_up(length);
    long error = 0;
    uint64_t where = choose_address(addr, length, flags, &error);
    if (error) return error;

    bool charge = prot != PROT_NONE && !(flags & MAP_NORESERVE);
    if (charge) {
        // The promise (address_space.hpp): after this mapping, the charged pages that have no
        // frame yet, plus the page-table reserve, must fit in the free frames.  Charged memory
        // this mapping replaces (MAP_FIXED over a commit, Go's sysUsed) is not counted twice;
        // the frames it frees are not counted at all, which can only err on the safe side.
        uint64_t replaced = 0;
        for (size_t i = 0; i < areas_.count(); ++i) {
            const Vma& a = areas_.at(i);
            if (!a.charged() || a.end <= where || a.start >= where + length) continue;
            uint64_t s = a.start > where ? a.start : where;
            uint64_t e = a.end < where + length ? a.end : where + length;
            replaced += e - s;
        }
        uint64_t promised = (areas_.charged_bytes() - replaced + length) / kPageSize - charged_resident_;
        uint64_t free = pages_.free_frames();
        if (promised + limits_.reserve_frames > free) {
            set_note("out of memory: asked for %s; %lu frames (%lu KiB) free, %lu already promised to committed memory "
                     "and %lu kept for page tables",
                     Bytes(length).text, free, free * 4, promised - length / kPageSize, limits_.reserve_frames);
            return -kENOMEM;
        }
    }
    for (size_t i = 0; i < areas_.count(); ++i) {
        const Vma& a = areas_.at(i);
        if (a.kind == VmaKind::Kernel && a.start < where + length && where < a.end) {
            set_note("the range overlaps the kernel");
            return -kEINVAL;
        }
    }
    // Nothing is backed here, MAP_FIXED or not: pages get frames on first touch.  (Go's stacks,
    // which cannot take a fault, are backed by madvise(MADV_POPULATE_WRITE); see populate.)
    if (!areas_.remove(where, where + length, on_removed, this)) {
        set_note("too many memory areas (%zu)", areas_.count());
        return -kENOMEM;
    }
    Vma vma{where, where + length, prot, VmaKind::Anonymous};
    vma.noreserve = prot != PROT_NONE && (flags & MAP_NORESERVE) != 0;
    if (!areas_.insert(vma)) {
        set_note("too many memory areas (%zu)", areas_.count());
        return -kENOMEM;
    }
    if (prot == PROT_NONE) set_note("reserved");
    else set_note(vma.noreserve ? "not charged (MAP_NORESERVE), frames on first touch" : "committed, frames on first touch");
    return static_cast<long>(where);
}

long AddressSpace::munmap(uint64_t addr, uint64_t length) {
    note_[0] = '\0';
    if (addr % kPageSize != 0 || length == 0) return -kEINVAL;
    length = page_up(length);
    for (size_t i = 0; i < areas_.count(); ++i) {
        const Vma& a = areas_.at(i);
        if (a.kind == VmaKind::Kernel && a.start < addr + length && addr < a.end) {
            set_note("the range overlaps the kernel");
            return -kEINVAL;
        }
    }
    uint64_t before = resident_;
    if (!areas_.remove(addr, addr + length, on_removed, this)) return -kENOMEM;
    if (before != resident_) set_note("%lu frames freed", before - resident_);
    return 0;
}

long AddressSpace::madvise(uint64_t addr, uint64_t length, int advice) {
    note_[0] = '\0';
    if (addr % kPageSize != 0) return -kEINVAL;
    length = page_up(length);
    switch (advice) {
        case MADV_DONTNEED:
        case MADV_FREE: {
            // The pages stay committed; their frames go back and the next touch gets a zeroed
            // page, exactly what Linux promises for private anonymous memory after DONTNEED.
            uint64_t freed = 0;
            for (uint64_t va = addr; va < addr + length; va += kPageSize) {
                const Vma* a = areas_.find(va);
                if (!a || a->kind != VmaKind::Anonymous || !a->committed()) continue;
                if (pages_.unmap(va)) {
                    --resident_;
                    if (a->charged()) --charged_resident_;
                    ++freed;
                }
            }
            set_note("%lu frames freed", freed);
            return 0;
        }
        case MADV_POPULATE_READ:
        case MADV_POPULATE_WRITE:
            return populate(addr, length, advice == MADV_POPULATE_WRITE);
        case MADV_NORMAL:
        case MADV_HUGEPAGE:
        case MADV_NOHUGEPAGE:
            return 0;  // hints about paging policy; there is only one policy here
        default:
            set_note("unknown advice");
            return -kEINVAL;
    }
}

// madvise(MADV_POPULATE_READ/WRITE), Linux 5.14: every page of the range gets its frame now.
// Errors as Linux's madvise(2): ENOMEM for a hole or no memory, EINVAL for an area that does
// not allow the access.  Pages that already have a frame keep it.
long AddressSpace::populate(uint64_t addr, uint64_t length, bool write) {
    if (length > limits_.ceiling || addr > limits_.ceiling - length) {
        set_note("the range leaves the address space");
        return -kENOMEM;
    }
    for (uint64_t va = addr; va < addr + length; va += kPageSize) {
        const Vma* a = areas_.find(va);
        if (!a || a->kind != VmaKind::Anonymous) {
            set_note("no mapping contains 0x%lx", va);
            return -kENOMEM;
        }
        if (!a->committed() || (write && !(a->prot & PROT_WRITE))) {
            set_note("the area at 0x%lx does not allow %s", va, write ? "writing" : "reading");
            return -kEINVAL;
        }
    }
    uint64_t backed = 0;
    for (uint64_t va = addr; va < addr + length; va += kPageSize) {
        if (pages_.is_mapped(va)) continue;
        switch (back_page(*areas_.find(va), va)) {
            case Backing::Done: break;
            case Backing::AllPromised:
                set_note("out of memory at 0x%lx: the free frames are all promised to committed memory", va);
                return -kENOMEM;
            case Backing::NoFrame:
                set_note("out of memory at 0x%lx: no free frame", va);
                return -kENOMEM;
        }
        ++backed;
    }
    set_note("%lu frames mapped now", backed);
    return 0;
}

bool AddressSpace::handle_fault(uint64_t addr, bool write, bool page_present) {
    // lab 04-mmap begin: AddressSpace::handle_fault
    note_[0] = '\0';
    const Vma* a = areas_.find(addr);
    if (!a) {
        set_note("no mapping contains the address");
        return false;
    }
    if (a->kind == VmaKind::Kernel) {
        // Page 0 lies in the kernel's area too, but a fault there is a NULL pointer (the trap
        // report's "why" says so), not a stray access into the kernel: say the one thing.
        set_note(addr < kPageSize ? "the address is in page 0, which is never mapped (the NULL guard)"
                              : "the address is in the kernel's own area");
        return false;
    }
    if (!a->committed()) {
        set_note("the address is in a PROT_NONE reservation [0x%lx, 0x%lx): reserved, never committed", a->start, a->end);
        return false;
    }
    if (page_present) {
        set_note("the page is mapped: this is a protection violation, not a missing page");
        return false;
    }
    if (write && !(a->prot & PROT_WRITE)) {
        set_note("write to an area mapped without PROT_WRITE");
        return false;
    }
    switch (back_page(*a, addr & ~(kPageSize - 1))) {
        case Backing::Done: break;
        case Backing::AllPromised:
            set_note("out of memory: no frame for a page of a MAP_NORESERVE mapping; the %lu free frames are promised "
                     "to committed memory (%lu pages) or kept for page tables (%lu)",
                     pages_.free_frames(), promised_pages(), limits_.reserve_frames);
            return false;
        case Backing::NoFrame:
            // Only the page tables can have eaten the frame this page was promised.
            set_note("out of memory: no free frame for a committed page although it was promised one; the %lu frames "
                     "kept for page tables were not enough (%lu pages resident)",
                     limits_.reserve_frames, resident_);
            return false;
    }
    ++faults_;
    return true;
    // lab 04-mmap end
}

}  // namespace kernel::memory
