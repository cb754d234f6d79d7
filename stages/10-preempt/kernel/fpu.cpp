// Book: chapter 10-preempt (book/stages/10-preempt.md).
#include "fpu.hpp"

#include <stdint.h>

#include "console.hpp"

namespace kernel::fpu {
namespace {

bool g_xsave = false;
uint32_t g_mask_lo = 0, g_mask_hi = 0;  // XCR0: the state components XSAVE saves
size_t g_size = 512;                    // FXSAVE's

void cpuid(uint32_t leaf, uint32_t sub, uint32_t* a, uint32_t* b, uint32_t* c, uint32_t* d) {
    asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

}  // namespace

void init() {
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    // CPUID.1:ECX bit 27, OSXSAVE: the OS (here Xen, for its guests) set CR4.OSXSAVE, so XSAVE
    // and XGETBV may be used (Intel SDM vol. 1, 13.2).
    g_xsave = (c >> 27) & 1;
    if (g_xsave) {
        asm volatile("xgetbv" : "=a"(g_mask_lo), "=d"(g_mask_hi) : "c"(0));
        cpuid(0xd, 0, &a, &b, &c, &d);
        g_size = b;  // EBX: the size XSAVE needs for the features XCR0 enables now
        console::printf("fpu: XSAVE, XCR0 0x%x (x87%s%s), %zu bytes per preempted thread\n", g_mask_lo,
                        (g_mask_lo & 2) ? ", SSE" : "", (g_mask_lo & 4) ? ", AVX" : "", g_size);
    } else {
        console::printf("fpu: FXSAVE (x87, SSE), %zu bytes per preempted thread\n", g_size);
    }
}

size_t area_size() { return g_size; }

void save(void* area) {
    if (g_xsave) asm volatile("xsave64 (%0)" : : "r"(area), "a"(g_mask_lo), "d"(g_mask_hi) : "memory");
    else asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
}

void restore(const void* area) {
    if (g_xsave) asm volatile("xrstor64 (%0)" : : "r"(area), "a"(g_mask_lo), "d"(g_mask_hi) : "memory");
    else asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
}

}  // namespace kernel::fpu
