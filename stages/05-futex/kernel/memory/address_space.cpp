// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "address_space.hpp"

#include <stdarg.h>

#include "../format.hpp"
#include "../syscalls/errno.hpp"

namespace kernel::memory {
namespace {

using namespace kernel::syscalls;

constexpr uint64_t kPage = 4096;
constexpr uint64_t page_up(uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

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
    for (uint64_t va = piece.start; va < piece.end; va += kPage)
        if (self->pages_.unmap(va)) --self->resident_;
}

bool AddressSpace::reserve_kernel(uint64_t start, uint64_t end) {
    return areas_.insert(Vma{start & ~(kPage - 1), page_up(end), PROT_READ | PROT_WRITE | PROT_EXEC, VmaKind::Kernel});
}

uint64_t AddressSpace::choose_address(uint64_t hint, uint64_t length, uint32_t flags, long* error) {
    bool in_range = hint >= limits_.floor && hint < limits_.ceiling && limits_.ceiling - hint >= length;
    if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
        if (hint % kPage != 0 || !in_range) {
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
    hint &= ~(kPage - 1);
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

    if (prot != PROT_NONE) {
        // Commit accounting: frames are only taken on first touch, but the total promised is
        // bounded, so a runaway program gets ENOMEM here rather than a fault later.  Committed
        // memory this mapping replaces (MAP_FIXED over a commit) is not counted twice.
        uint64_t replaced = 0;
        for (size_t i = 0; i < areas_.count(); ++i) {
            const Vma& a = areas_.at(i);
            if (a.kind != VmaKind::Anonymous || !a.committed() || a.end <= where || a.start >= where + length) continue;
            uint64_t s = a.start > where ? a.start : where;
            uint64_t e = a.end < where + length ? a.end : where + length;
            replaced += e - s;
        }
        uint64_t committed = areas_.committed_bytes() - replaced;
        if (committed + length > limits_.commit_limit) {
            set_note("out of memory: asked for %s; %s committed of a %s limit; %lu frames (%lu KiB) free",
                     Bytes(length).text, Bytes(committed).text, Bytes(limits_.commit_limit).text, pages_.free_frames(),
                     pages_.free_frames() * 4);
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
    // A committed MAP_FIXED mapping is backed at once.  That is how Go turns reserved address
    // space into memory it will use (sysMap; sysUsed with GODEBUG=harddecommit=1), and Go
    // runs goroutines on stacks carved out of exactly that memory.  A page fault on a stack
    // page cannot be served: Xen delivers a PV guest's fault on the current stack, so a missing
    // stack page means Xen cannot deliver the fault at all and kills the domain.
    bool populate = prot != PROT_NONE && (flags & MAP_FIXED);
    uint64_t pages = length / kPage;
    if (populate) {
        uint64_t tables = (length >> 21) + 3;  // leaf tables, plus the levels above
        if (pages + tables > pages_.free_frames()) {
            set_note("out of memory: asked for %s backed now (%lu frames); %lu frames (%lu KiB) free",
                     Bytes(length).text, pages + tables, pages_.free_frames(), pages_.free_frames() * 4);
            return -kENOMEM;
        }
    }
    if (!areas_.remove(where, where + length, on_removed, this) ||
        !areas_.insert(Vma{where, where + length, prot, VmaKind::Anonymous})) {
        set_note("too many memory areas (%zu)", areas_.count());
        return -kENOMEM;
    }
    if (populate) {
        for (uint64_t va = where; va < where + length; va += kPage) {
            if (!pages_.map_zeroed(va, (prot & PROT_WRITE) != 0)) {
                set_note("out of memory while backing the mapping at 0x%lx", va);
                return -kENOMEM;  // cannot happen after the check above, unless the check is wrong
            }
            ++resident_;
        }
        set_note("committed, %lu frames mapped now", pages);
    } else {
        set_note(prot == PROT_NONE ? "reserved" : "committed, frames on first touch");
    }
    return static_cast<long>(where);
}

long AddressSpace::munmap(uint64_t addr, uint64_t length) {
    note_[0] = '\0';
    if (addr % kPage != 0 || length == 0) return -kEINVAL;
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
    if (addr % kPage != 0) return -kEINVAL;
    length = page_up(length);
    switch (advice) {
        case MADV_DONTNEED:
        case MADV_FREE: {
            // The pages stay committed; their frames go back and the next touch gets a zeroed
            // page, exactly what Linux promises for private anonymous memory after DONTNEED.
            uint64_t freed = 0;
            for (uint64_t va = addr; va < addr + length; va += kPage) {
                const Vma* a = areas_.find(va);
                if (!a || a->kind != VmaKind::Anonymous || !a->committed()) continue;
                if (pages_.unmap(va)) {
                    --resident_;
                    ++freed;
                }
            }
            set_note("%lu frames freed", freed);
            return 0;
        }
        case MADV_NORMAL:
        case MADV_HUGEPAGE:
        case MADV_NOHUGEPAGE:
            return 0;  // hints about paging policy; there is only one policy here
        default:
            set_note("unknown advice");
            return -kEINVAL;
    }
}

bool AddressSpace::handle_fault(uint64_t addr, bool write, bool page_present) {
    note_[0] = '\0';
    const Vma* a = areas_.find(addr);
    if (!a) {
        set_note("no mapping contains the address");
        return false;
    }
    if (a->kind == VmaKind::Kernel) {
        // Page 0 lies in the kernel's area too, but a fault there is a NULL pointer (the trap
        // report's "why" says so), not a stray access into the kernel: say the one thing.
        set_note(addr < kPage ? "the address is in page 0, which is never mapped (the NULL guard)"
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
    if (!pages_.map_zeroed(addr & ~(kPage - 1), (a->prot & PROT_WRITE) != 0)) {
        set_note("out of memory: no free frame for a committed page (%s committed, %lu pages resident)",
                 Bytes(areas_.committed_bytes()).text, resident_);
        return false;
    }
    ++resident_;
    ++faults_;
    return true;
}

}  // namespace kernel::memory
