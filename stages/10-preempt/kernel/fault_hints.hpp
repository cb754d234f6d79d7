// After the fault report: what the fault most likely means, and which stage deals with it.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stdint.h>

namespace kernel {

// Prints "    hint: ..." lines for faults with a known cause; nothing otherwise.
// fs_base is the faulting thread's FS segment base (its thread pointer; 0 if it has none).
void print_fault_hints(uint64_t vector, uint64_t address, uint64_t fs_base);

}  // namespace kernel
