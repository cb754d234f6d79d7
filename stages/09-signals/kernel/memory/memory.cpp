// Book: chapter 04-mmap (book/stages/04-mmap.md).
#include "memory.hpp"

#include <new>

#include "../console.hpp"
#include "../panic.hpp"
#include "frame_allocator.hpp"
#include "page_tables.hpp"

namespace kernel::memory {
namespace {

// The frame bitmap lives in the frames right after Xen's boot data, which Xen's bootstrap
// mapping covers (xen.h: at least 512 KiB of padding after the bootstrap stack): 128 frames of
// bitmap are 4 Mi frames, 16 GiB.
constexpr size_t kMaxFrames = size_t{1} << 22;
constinit FrameAllocator g_frames;
constinit XenPageTables g_tables;
alignas(AddressSpace) char g_space_storage[sizeof(AddressSpace)];
AddressSpace* g_space = nullptr;
void* g_heap_base = nullptr;
size_t g_heap_bytes = 0;
const unsigned long* g_mfn_list = nullptr;  // pfn -> mfn, from start_info

// Where mmap places mappings that come without a usable hint, downwards: just below 0x7f...,
// as Linux does (its mmap_base sits under the stack near the top of the lower half).
constexpr uint64_t kPlacementTop = 0x7f0000000000;
constexpr uint64_t kCeiling = 0x800000000000;  // end of the lower canonical half

// The kernel's heap holds the threads' stacks (64 KiB each, libc/pthread.cpp, plus a 16 KiB
// system-call stack) and the C glue's few allocations: an eighth of the guest's memory, at least
// 512 KiB and at most 4 MiB (a 32 MiB guest gets the most, 4 MiB).
constexpr uint64_t kHeapMin = 512 << 10, kHeapMax = 4 << 20;

// Frames kept back from the promise for the page tables that demand faults create (one leaf
// table per 2 MiB of address space Go touches, a few above): 16, plus one per 128 frames.
constexpr size_t reserve_for(size_t nr_pages) { return 16 + nr_pages / 128; }

}  // namespace

void init(const start_info& si) {
    if (si.nr_pages > kMaxFrames) panic("%lu pages of memory: this kernel handles at most %zu", si.nr_pages, kMaxFrames);
    // Xen's boot layout (xen.h, start_info): image, mfn_list, start_info, xenstore and console
    // pages, the bootstrap page tables at pt_base, one page of bootstrap stack.  Everything
    // after that is free; the kernel runs on its own boot stack, so the bootstrap stack is
    // left alone only for safety.
    uint64_t first_free = si.pt_base / 4096 + si.nr_pt_frames + 1;
    g_mfn_list = reinterpret_cast<const unsigned long*>(si.mfn_list);
    size_t bitmap_frames = (si.nr_pages + 32767) / 32768;  // 64 bits a word, 512 words a frame
    g_frames.init(pfn_to_virt(Pfn{first_free}).as<uint64_t>(), si.nr_pages);
    uint64_t after_bitmap = first_free + bitmap_frames;
    g_frames.add_free(Pfn{after_bitmap}, si.nr_pages - after_bitmap);

    g_tables.init(si, g_frames);
    uint64_t direct_end = g_tables.direct_map_end();

    // The heap is one run of frames; the direct map makes it one run of addresses.
    uint64_t heap = (si.nr_pages * 4096 / 8) & ~uint64_t{0xffff};
    heap = heap < kHeapMin ? kHeapMin : heap > kHeapMax ? kHeapMax : heap;
    Pfn heap_first{0};
    if (!g_frames.allocate_run(heap / 4096, &heap_first))
        panic("no %lu KiB run of free frames for the kernel heap: %lu MiB of memory is too little", heap >> 10,
              si.nr_pages / 256);
    g_heap_base = pfn_to_virt(heap_first).as<void>();
    g_heap_bytes = heap;

    uint64_t floor = (direct_end + 0xfffff) & ~uint64_t{0xfffff};
    Limits limits{floor, kCeiling, kPlacementTop, reserve_for(si.nr_pages)};
    g_space = new (g_space_storage) AddressSpace(g_tables, limits);
    if (!g_space->reserve_kernel(0, floor)) panic("cannot record the kernel's own area");

    console::printf("memory: %lu frames (%lu MiB); frames 0..%lu hold the image and Xen's boot data\n", si.nr_pages,
                    si.nr_pages / 256, first_free - 1);
    console::printf("memory: Xen mapped the first %lu MiB; the direct map now covers all %lu MiB (%zu page-table frames)\n",
                    g_tables.bootstrap_mapped_end() >> 20, direct_end >> 20, g_tables.table_frames());
    console::printf("memory: kernel heap %lu KiB (%lu frames, an eighth of memory within 512 KiB..4 MiB); frame bitmap %zu "
                    "frame%s\n",
                    heap >> 10, heap / 4096, bitmap_frames, bitmap_frames == 1 ? "" : "s");
    console::printf("memory: %zu frames free for Go (%zu KiB), %zu of them kept for page tables; mmap hands out "
                    "[0x%lx, 0x%lx)\n",
                    g_frames.free_count(), g_frames.free_count() * 4, limits.reserve_frames, floor, kCeiling);
}

void guard_page(void* page) { g_tables.hide_direct(reinterpret_cast<uint64_t>(page)); }
void unguard_page(void* page) { g_tables.show_direct(reinterpret_cast<uint64_t>(page)); }

void kernel_heap(void** base, size_t* bytes) {
    if (g_heap_base == nullptr) panic("the kernel heap was used before memory::init made it");
    *base = g_heap_base;
    *bytes = g_heap_bytes;
}

bool allocate_frame(Pfn* out) {
    // Device buffers come out of what Go was not promised (address_space.hpp), so a device
    // that starts late never takes a frame a committed page is owed.
    if (g_space->unpromised_frames() == 0 || !g_frames.allocate(out)) return false;
    char* p = pfn_to_virt(*out).as<char>();
    for (size_t i = 0; i < kPageSize; ++i) p[i] = 0;
    return true;
}

void free_frame(Pfn pfn) {
    if (!g_frames.free(pfn)) panic("memory::free_frame: frame pfn 0x%lx was not in use", pfn.value);
}

Mfn machine_frame(Pfn pfn) { return Mfn{g_mfn_list[pfn.value]}; }

size_t free_frames() { return g_frames.free_count(); }

bool ready() { return g_space != nullptr; }

AddressSpace& address_space() { return *g_space; }

void print_stats(const char* prefix) {
    Stats s = g_space->stats();
    console::printf("%s: %lu MiB reserved, %lu MiB committed, %lu pages resident (%lu demand faults), %lu pages "
                    "promised, %zu frames free\n",
                    prefix, s.reserved_bytes >> 20, s.committed_bytes >> 20, s.resident_pages, s.faults,
                    s.promised_pages, g_frames.free_count());
}

}  // namespace kernel::memory
