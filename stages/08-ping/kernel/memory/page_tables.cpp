// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "page_tables.hpp"

#include "../address.hpp"
#include "../hypercall.hpp"
#include "../m2p.hpp"
#include "../panic.hpp"

extern "C" void* memset(void*, int, size_t);

namespace kernel::memory {
namespace {

// x86-64 page-table entry bits (Intel SDM vol. 3, 4.5).  Xen sets the user bit itself on a
// 64-bit PV guest's mappings (the guest kernel runs in ring 3); we set it so the entries say
// what they mean.
constexpr uint64_t kPresent = 1, kWritable = 2, kUser = 4, kAccessed = 0x20, kDirty = 0x40;
constexpr uint64_t kAddressMask = 0x000ffffffffff000;

unsigned index_at(uint64_t va, int level) { return static_cast<unsigned>((va >> (12 + 9 * (level - 1))) & 511); }

// The direct-map address of the table an entry points to.
uint64_t* table_of(uint64_t entry) {
    Pfn pfn = m2p::lookup(Mfn{(entry & kAddressMask) >> 12});
    return pfn_to_virt(pfn).as<uint64_t>();
}

}  // namespace

uint64_t XenPageTables::machine_address_of(const void* p) const {
    auto va = reinterpret_cast<uint64_t>(p);
    return (uint64_t{mfn_list_[va / kPageSize]} << 12) | (va % kPageSize);
}

uint64_t XenPageTables::direct_entry(uint64_t pfn) const {
    return (uint64_t{mfn_list_[pfn]} << 12) | kPresent | kWritable | kUser | kAccessed | kDirty;
}

bool XenPageTables::new_table(uint64_t* mfn_out) {
    Pfn pfn{0};
    if (!frames_->allocate(&pfn)) return false;
    if (pfn.value * kPageSize >= direct_end_) panic("page-table frame pfn 0x%lx is not in the direct map yet", pfn.value);
    memset(pfn_to_virt(pfn).as<void>(), 0, kPageSize);
    uint64_t mfn = mfn_list_[pfn.value];
    // Read-only in the direct map before Xen will accept it as a page table.
    if (long rc = hv::update_va_mapping(pfn.value * kPageSize, (mfn << 12) | kPresent | kUser | kAccessed, UVMF_INVLPG))
        panic("cannot make pfn 0x%lx read-only for use as a page table: %ld", pfn.value, rc);
    ++table_frames_;
    *mfn_out = mfn;
    return true;
}

uint64_t* XenPageTables::leaf_table(uint64_t va, bool create) {
    uint64_t* table = l4_;
    for (int level = 4; level > 1; --level) {
        uint64_t* entry = &table[index_at(va, level)];
        if (!(*entry & kPresent)) {
            if (!create) return nullptr;
            uint64_t mfn;
            if (!new_table(&mfn)) return nullptr;
            mmu_update_t req{machine_address_of(entry) | MMU_NORMAL_PT_UPDATE,
                             (mfn << 12) | kPresent | kWritable | kUser | kAccessed};
            unsigned done = 0;
            if (long rc = hv::mmu_update(&req, 1, &done); rc != 0)
                panic("mmu_update: cannot link a level-%d table for vaddr 0x%lx: %ld", level - 1, va, rc);
        }
        table = table_of(*entry);
    }
    return table;
}

bool XenPageTables::is_mapped(uint64_t va) {
    uint64_t* l1 = leaf_table(va, false);
    return l1 && (l1[index_at(va, 1)] & kPresent);
}

void XenPageTables::init(const start_info& si, FrameAllocator& frames) {
    l4_ = reinterpret_cast<uint64_t*>(si.pt_base);
    mfn_list_ = reinterpret_cast<const unsigned long*>(si.mfn_list);
    nr_pages_ = si.nr_pages;
    frames_ = &frames;

    // Xen mapped a contiguous region from 0 (xen.h, start_info: the bootstrap elements plus at
    // least 512 KiB of padding, ending on a 4 MiB boundary).  Find where it ends.
    // From the bootstrap page tables on: the image below them has guard pages unmapped on
    // purpose (page 0, the page below the boot stack; traps::guard_pages).
    uint64_t va = si.pt_base & ~(kPageSize - 1);
    while (va / kPageSize < nr_pages_ && is_mapped(va)) va += kPageSize;
    bootstrap_end_ = va;
    direct_end_ = va;

    // Map the rest, 512 frames (one leaf table) at a time.  Table frames come from the lowest
    // free frames, which are always already mapped: each table maps 512 more.
    mmu_update_t batch[512];
    while (direct_end_ / kPageSize < nr_pages_) {
        uint64_t* l1 = leaf_table(direct_end_, true);
        if (!l1) panic("no free frame for the direct map's page tables");
        unsigned n = 0;
        uint64_t start = direct_end_;
        for (unsigned i = index_at(start, 1); i < 512 && direct_end_ / kPageSize < nr_pages_; ++i) {
            uint64_t pfn = direct_end_ / kPageSize;
            batch[n++] = mmu_update_t{machine_address_of(&l1[i]) | MMU_NORMAL_PT_UPDATE,
                                      direct_entry(pfn)};
            direct_end_ += kPageSize;
        }
        unsigned done = 0;
        if (long rc = hv::mmu_update(batch, n, &done); rc != 0)
            panic("mmu_update: cannot map pfns 0x%lx.. into the direct map: %ld (%u of %u done)", start / kPageSize, rc,
                  done, n);
    }
}

bool XenPageTables::map_zeroed(uint64_t va, bool writable) {
    uint64_t* l1 = leaf_table(va, true);
    if (!l1) return false;
    Pfn pfn{0};
    if (!frames_->allocate(&pfn)) return false;
    memset(pfn_to_virt(pfn).as<void>(), 0, kPageSize);
    uint64_t pte = (uint64_t{mfn_list_[pfn.value]} << 12) | kPresent | kUser | kAccessed | (writable ? kWritable | kDirty : 0);
    if (long rc = hv::update_va_mapping(va, pte, UVMF_INVLPG); rc != 0)
        panic("update_va_mapping(vaddr 0x%lx -> pfn 0x%lx) failed: %ld", va, pfn.value, rc);
    return true;
}

bool XenPageTables::unmap(uint64_t va) {
    uint64_t* l1 = leaf_table(va, false);
    if (!l1) return false;
    uint64_t pte = l1[index_at(va, 1)];
    if (!(pte & kPresent)) return false;
    if (long rc = hv::update_va_mapping(va, 0, UVMF_INVLPG); rc != 0)
        panic("update_va_mapping(vaddr 0x%lx -> none) failed: %ld", va, rc);
    Pfn pfn = m2p::lookup(Mfn{(pte & kAddressMask) >> 12});
    if (!frames_->free(pfn)) panic("unmapped vaddr 0x%lx, but its frame pfn 0x%lx was already free", va, pfn.value);
    return true;
}

void XenPageTables::check_direct_page(uint64_t va) const {
    if (va % kPageSize != 0 || va >= direct_end_) panic("guard page 0x%lx is not a page of the direct map", va);
}

void XenPageTables::hide_direct(uint64_t va) {
    check_direct_page(va);
    if (long rc = hv::update_va_mapping(va, 0, UVMF_INVLPG); rc != 0)
        panic("cannot unmap guard page 0x%lx (update_va_mapping returned %ld)", va, rc);
}

void XenPageTables::show_direct(uint64_t va) {
    check_direct_page(va);
    // The same entry init() gave every frame of the direct map: va is pfn * 4096.
    if (long rc = hv::update_va_mapping(va, direct_entry(va / kPageSize), UVMF_INVLPG); rc != 0)
        panic("cannot map guard page 0x%lx again (update_va_mapping returned %ld)", va, rc);
}

}  // namespace kernel::memory
