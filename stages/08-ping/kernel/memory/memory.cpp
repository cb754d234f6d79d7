// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "memory.hpp"

#include <new>

#include "../console.hpp"
#include "../panic.hpp"
#include "frame_allocator.hpp"
#include "page_tables.hpp"

namespace kernel::memory {
namespace {

constexpr size_t kMaxFrames = size_t{1} << 20;  // 4 GiB of guest memory
uint64_t g_bitmap[kMaxFrames / 64];
constinit FrameAllocator g_frames;
constinit XenPageTables g_tables;
alignas(AddressSpace) char g_space_storage[sizeof(AddressSpace)];
AddressSpace* g_space = nullptr;
const unsigned long* g_mfn_list = nullptr;  // pfn -> mfn, from start_info

// Where mmap places mappings that come without a usable hint, downwards: just below 0x7f...,
// as Linux does (its mmap_base sits under the stack near the top of the lower half).
constexpr uint64_t kPlacementTop = 0x7f0000000000;
constexpr uint64_t kCeiling = 0x800000000000;  // end of the lower canonical half
// Commit limit = this many times the free memory at boot (Linux's overcommit_ratio, in the
// spirit of vm.overcommit_memory=2).  Go commits far more than it touches (e.g. a 32 MiB
// arena index), and relies on demand paging for the difference.
constexpr uint64_t kOvercommitFactor = 8;

}  // namespace

void init(const start_info& si) {
    if (si.nr_pages > kMaxFrames) panic("%lu pages of memory: this kernel handles at most %zu", si.nr_pages, kMaxFrames);
    g_frames.init(g_bitmap, si.nr_pages);
    g_mfn_list = reinterpret_cast<const unsigned long*>(si.mfn_list);
    // Xen's boot layout (xen.h, start_info): image, mfn_list, start_info, xenstore and console
    // pages, the bootstrap page tables at pt_base, one page of bootstrap stack.  Everything
    // after that is free; the kernel runs on its own boot stack, so the bootstrap stack is
    // left alone only for safety.
    uint64_t first_free = si.pt_base / 4096 + si.nr_pt_frames + 1;
    g_frames.add_free(Pfn{first_free}, si.nr_pages - first_free);
    size_t free_at_boot = g_frames.free_count();

    g_tables.init(si, g_frames);
    uint64_t direct_end = g_tables.direct_map_end();
    uint64_t floor = (direct_end + 0xfffff) & ~uint64_t{0xfffff};
    Limits limits{floor, kCeiling, kPlacementTop, g_frames.free_count() * 4096 * kOvercommitFactor};
    g_space = new (g_space_storage) AddressSpace(g_tables, limits);
    if (!g_space->reserve_kernel(0, floor)) panic("cannot record the kernel's own area");

    console::printf("memory: %lu frames (%lu MiB); frames 0..%lu hold the image and Xen's boot data\n", si.nr_pages,
                    si.nr_pages / 256, first_free - 1);
    console::printf("memory: Xen mapped the first %lu MiB; the direct map now covers all %lu MiB (%zu page-table frames)\n",
                    g_tables.bootstrap_mapped_end() >> 20, direct_end >> 20, g_tables.table_frames());
    console::printf("memory: %zu frames free (%zu at boot); mmap hands out [0x%lx, 0x%lx), commit limit %lu MiB\n",
                    g_frames.free_count(), free_at_boot, floor, kCeiling, limits.commit_limit >> 20);
}

bool allocate_frame(Pfn* out) {
    if (!g_frames.allocate(out)) return false;
    char* p = pfn_to_virt(*out).as<char>();
    for (size_t i = 0; i < kPageSize; ++i) p[i] = 0;
    return true;
}

Mfn machine_frame(Pfn pfn) { return Mfn{g_mfn_list[pfn.value]}; }

size_t free_frames() { return g_frames.free_count(); }

bool ready() { return g_space != nullptr; }

AddressSpace& address_space() { return *g_space; }

void print_stats(const char* prefix) {
    Stats s = g_space->stats();
    console::printf("%s: %lu MiB reserved, %lu MiB committed, %lu pages resident (%lu demand faults), %zu frames free\n",
                    prefix, s.reserved_bytes >> 20, s.committed_bytes >> 20, s.resident_pages, s.faults,
                    g_frames.free_count());
}

}  // namespace kernel::memory
