// "called from _cgo_wait_runtime_init_done+0x2c": who called a C library function.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stdint.h>

#include "../console.hpp"
#include "../ksyms.hpp"

namespace kernel::libc {

inline void print_caller(void* return_address) {
    auto address = reinterpret_cast<uint64_t>(return_address);
    auto caller = ksyms::lookup(ksyms::kernel_table(), address);
    if (caller.name) console::printf("called from %s+0x%lx", caller.name, caller.offset);
    else console::printf("called from vaddr 0x%lx", address);
}

}  // namespace kernel::libc
