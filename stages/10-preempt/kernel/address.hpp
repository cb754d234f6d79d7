// Strong types for the three kinds of page numbers a PV kernel juggles.
//
// A PV guest sees three address spaces: its virtual addresses, its pseudo-physical frames
// (PFNs, 0..nr_pages-1, the guest's own view) and machine frames (MFNs, the real RAM pages
// Xen hands out).  Xen's interfaces mix them: start_info.console.domU.mfn is an MFN,
// start_info.pt_base a virtual address.  Mixing them up is the classic PV bug, so they are
// distinct types and only the functions that really translate can turn one into another.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stdint.h>

namespace kernel {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr unsigned kPageShift = 12;

struct VirtAddr {
    uint64_t value;
    constexpr explicit VirtAddr(uint64_t v) : value(v) {}
    template <typename T>
    T* as() const { return reinterpret_cast<T*>(value); }
};

struct Pfn {
    uint64_t value;
    constexpr explicit Pfn(uint64_t v) : value(v) {}
};

struct Mfn {
    uint64_t value;
    constexpr explicit Mfn(uint64_t v) : value(v) {}
};

// With VIRT_BASE = 0 (see boot.S) pseudo-physical memory is mapped 1:1 at virtual 0.
constexpr VirtAddr pfn_to_virt(Pfn p) { return VirtAddr{p.value << kPageShift}; }

}  // namespace kernel
