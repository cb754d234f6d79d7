// Book: chapter 08-ping (book/stages/08-ping.md).
#include "grant_table.hpp"

#include "../console.hpp"
#include "../hypercall.hpp"
#include "../panic.hpp"

namespace kernel::grant {
namespace {

// Four frames of v1 entries (8 bytes each): 2048 refs, enough for both rings and a buffer per
// slot.  Xen 4.17 lets a domU have up to 64 (its gnttab_max_frames default).
constexpr unsigned kFrames = Entries::kMaxEntries * sizeof(grant_entry_v1_t) / kPageSize;

// Pages of our address space whose mappings are replaced by the table's frames, as for
// shared_info: for a PV guest the table lives in frames Xen owns, and we map them ourselves.
alignas(kPageSize) char g_window[kFrames * kPageSize];

constinit Entries g_entries;

constexpr uint64_t kPtePresent = 1, kPteWritable = 2, kPteAccessed = 0x20, kPteDirty = 0x40;

}  // namespace

void init() {
    // GNTTABOP_setup_table: Xen grows our table to nr_frames and returns the frames' machine
    // numbers (for a PV guest; an HVM guest would map them with XENMEM_add_to_physmap).
    xen_pfn_t frames[kFrames] = {};
    gnttab_setup_table setup{};
    setup.dom = DOMID_SELF;
    setup.nr_frames = kFrames;
    set_xen_guest_handle(setup.frame_list, frames);
    long rc = hv::grant_table_op(GNTTABOP_setup_table, &setup, 1);
    if (rc != 0 || setup.status != GNTST_okay)
        panic("GNTTABOP_setup_table for %u frames failed: rc %ld, status %d", kFrames, rc, setup.status);
    for (unsigned i = 0; i < kFrames; ++i) {
        uint64_t pte = (uint64_t{frames[i]} << kPageShift) | kPtePresent | kPteWritable | kPteAccessed | kPteDirty;
        uint64_t va = reinterpret_cast<uint64_t>(g_window) + i * kPageSize;
        if (long r = hv::update_va_mapping(va, pte, UVMF_INVLPG); r != 0)
            panic("cannot map grant-table frame %u (machine frame 0x%lx): %ld", i, static_cast<unsigned long>(frames[i]), r);
    }
    g_entries.init(reinterpret_cast<grant_entry_v1_t*>(g_window), Entries::kMaxEntries);
    console::printf("grant table: %u frames, %zu refs (%zu free; 0..%u are the toolstack's)\n", kFrames,
                    g_entries.size(), g_entries.free_count(), kReserved - 1);
}

Entries& table() { return g_entries; }

}  // namespace kernel::grant
