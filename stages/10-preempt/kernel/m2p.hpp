// The machine-to-physical table: Xen maps it read-only into every PV guest at
// MACH2PHYS_VIRT_START (0xFFFF800000000000 on x86-64), one 8-byte entry per machine frame,
// holding the pseudo-physical frame that machine page has in the guest that owns it.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include "address.hpp"
#include "xen.hpp"

namespace kernel::m2p {

inline Pfn lookup(Mfn mfn) {
    auto* table = reinterpret_cast<const volatile uint64_t*>(MACH2PHYS_VIRT_START);
    return Pfn{table[mfn.value]};
}

}  // namespace kernel::m2p
