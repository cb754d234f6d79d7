// Kernel stacks with guard pages (see kernel_stack.hpp).
#include "kernel_stack.hpp"

#include "heap.hpp"
#include "hypercall.hpp"
#include "panic.hpp"

namespace kernel {
namespace {

// x86-64 page-table entry bits (Intel SDM vol. 3, 4.5).  Xen itself sets the user bit that a
// 64-bit PV kernel's own pages need (it runs in ring 3), but asking for it is allowed too.
constexpr uint64_t kPresent = 1 << 0, kWritable = 1 << 1, kUser = 1 << 2, kAccessed = 1 << 5, kDirty = 1 << 6;

const xen_pfn_t* g_mfn_list = nullptr;  // start_info.mfn_list: pfn -> machine frame
uint64_t g_nr_pages = 0;

uint64_t round_up(uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

uint64_t page_of(uint64_t va) {
    if (!g_mfn_list) panic("a guarded kernel stack was used before init_stacks");
    uint64_t pfn = va >> kPageShift;
    if ((va & (kPageSize - 1)) != 0 || pfn >= g_nr_pages)
        panic("guard page 0x%lx is not a page of this domain's memory", va);
    return pfn;
}

}  // namespace

void init_stacks(const start_info& si) {
    g_mfn_list = reinterpret_cast<const xen_pfn_t*>(si.mfn_list);
    g_nr_pages = si.nr_pages;
}

bool allocate_stack(size_t size, GuardedStack* out) {
    size_t usable = round_up(size);
    // The heap aligns to 16 bytes: up to a page of slack puts the guard on a page boundary.
    void* block = heap::kernel().allocate(usable + 2 * kPageSize);
    if (!block) return false;
    uint64_t guard = round_up(reinterpret_cast<uint64_t>(block));
    page_of(guard);
    if (long rc = hv::update_va_mapping(guard, 0, UVMF_INVLPG); rc != 0)
        panic("cannot unmap guard page 0x%lx (update_va_mapping returned %ld)", guard, rc);
    *out = GuardedStack{block, reinterpret_cast<void*>(guard + kPageSize), usable};
    return true;
}

void release_stack(GuardedStack* s) {
    if (!s->block) return;
    // Mapped again before the heap writes its free-list header into the block or reuses it:
    // the same frame, at the same address, as Xen's 1:1 mapping of the image had it.
    uint64_t guard = s->guard();
    uint64_t entry = (uint64_t{g_mfn_list[page_of(guard)]} << kPageShift) | kPresent | kWritable | kUser |
                     kAccessed | kDirty;
    if (long rc = hv::update_va_mapping(guard, entry, UVMF_INVLPG); rc != 0)
        panic("cannot map guard page 0x%lx again (update_va_mapping returned %ld)", guard, rc);
    heap::kernel().free(s->block);
    *s = GuardedStack{};
}

}  // namespace kernel
