// The floating-point and vector registers of a thread that is switched out in the middle of
// Go code (preempt.cpp).
//
// A switch inside a system call needs none of this: the kernel is built with
// -mgeneral-regs-only, and Go treats every X register as clobbered across its syscall
// wrappers.  A preempted thread was stopped between any two instructions, so its x87, SSE and
// (if Xen enabled them) AVX registers are saved whole: XSAVE with the features the guest's
// XCR0 enables, or FXSAVE (512 bytes, x87 + SSE) on a CPU without XSAVE.
// Book: chapter 10-preempt (book/stages/10-preempt.md).
#pragma once

#include <stddef.h>

namespace kernel::fpu {

// Finds out what the CPU saves (CPUID leaf 1 OSXSAVE, leaf 0xD, XGETBV); prints one line.
void init();

// Bytes a save area needs (it must be 64-byte aligned and start zeroed: XRSTOR checks the
// XSAVE header, which XSAVE itself only partly writes).
size_t area_size();

void save(void* area);
void restore(const void* area);

}  // namespace kernel::fpu
