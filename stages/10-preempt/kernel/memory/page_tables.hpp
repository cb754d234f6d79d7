// The guest's page tables, changed the only way a PV guest may: through Xen.
//
// A PV guest reads its page tables directly but never writes them: every entry holds a
// machine address and Xen validates each change (HYPERVISOR_mmu_update for any entry,
// HYPERVISOR_update_va_mapping for a leaf entry of a mapped address).  A frame used as a page
// table must not be mapped writable anywhere, so new tables are remapped read-only first.
//
// All pseudo-physical memory is mapped 1:1 at virtual address pfn * 4096 (the "direct map";
// Xen's bootstrap mapping already does this for the first few MiB, init() extends it), so the
// kernel can zero a frame or read a page table by its pfn.
// Book: chapter 04-mmap (book/stages/04-mmap.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "../xen.hpp"
#include "address_space.hpp"
#include "frame_allocator.hpp"

namespace kernel::memory {

class XenPageTables final : public PageOps {
public:
    // Takes over the bootstrap page tables (start_info.pt_base) and maps every frame of the
    // guest into the direct map, taking table frames from `frames`.
    void init(const start_info& si, FrameAllocator& frames);

    bool map_zeroed(uint64_t va, bool writable) override;
    bool unmap(uint64_t va) override;
    bool is_mapped(uint64_t va) override;
    bool protect(uint64_t va, uint32_t prot) override;
    size_t free_frames() const override { return frames_->free_count(); }

    // A page of the direct map made inaccessible, and mapped again: a guard page below a
    // kernel stack.  The frame stays allocated to whoever owns the page (the kernel heap).
    void hide_direct(uint64_t va);
    void show_direct(uint64_t va);

    uint64_t bootstrap_mapped_end() const { return bootstrap_end_; }  // what Xen mapped for us
    uint64_t direct_map_end() const { return direct_end_; }
    size_t table_frames() const { return table_frames_; }              // page tables we added

private:
    uint64_t* leaf_table(uint64_t va, bool create);  // the L1 table for va (nullptr if absent)
    bool new_table(uint64_t* mfn_out);
    uint64_t machine_address_of(const void* p) const;
    uint64_t direct_entry(uint64_t pfn) const;     // the direct map's entry for pfn: writable
    void check_direct_page(uint64_t va) const;     // panics unless va is a page of the direct map

    uint64_t* l4_ = nullptr;
    const unsigned long* mfn_list_ = nullptr;  // pfn -> mfn (start_info.mfn_list)
    size_t nr_pages_ = 0;
    FrameAllocator* frames_ = nullptr;
    uint64_t bootstrap_end_ = 0;
    uint64_t direct_end_ = 0;
    size_t table_frames_ = 0;
};

}  // namespace kernel::memory
