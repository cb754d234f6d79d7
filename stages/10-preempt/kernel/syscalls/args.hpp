// One system call as it reached the kernel: the number and the six argument registers.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stdint.h>

namespace kernel::syscalls {

// Same order as arch/syscall_entry.S pushes them: rax, rdi, rsi, rdx, r10, r8, r9.
struct Args {
    uint64_t nr;
    uint64_t a[6];
};

}  // namespace kernel::syscalls
