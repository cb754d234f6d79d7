// Kernel threads: one per pthread of Go's C glue, plus "main", the thread the kernel boots on.
//
// Each thread has two stacks.  Its own stack (the pthread stack) runs C code and Go's g0; Go
// goroutine stacks live in Go's heap.  Its system-call stack is where unigornel_syscall
// (arch/syscall_entry.S) switches to: the kernel must not run its handlers on whatever small
// goroutine stack Go happened to call from.
// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernel_stack.hpp"

namespace kernel {

enum class ThreadState : uint8_t { Runnable, Running, Blocked, Dead };

struct Thread {
    // Read by assembly (arch/context_switch.S, arch/syscall_entry.S): keep first, in this order.
    uint64_t saved_rsp = 0;          // while switched out
    uint64_t syscall_stack_top = 0;  // where unigornel_syscall switches to

    int id = 0;
    char name[24] = {};
    ThreadState state = ThreadState::Runnable;
    const char* wait_reason = nullptr;  // what it is blocked on (for the deadlock report)

    void* (*entry)(void*) = nullptr;
    void* arg = nullptr;
    GuardedStack stack;          // the thread's own stack (none for main: the boot stack)
    GuardedStack syscall_stack;  // each with an unmapped guard page below it (kernel_stack.hpp)
    void* tls_block = nullptr;  // the thread's TLS block and TCB (tls.hpp)
    uint64_t fs_base = 0;       // its thread pointer: loaded into FS whenever it runs

    int errno_value = 0;        // the C library's errno for this thread

    Thread* queue_next = nullptr;  // ThreadQueue link
    Thread* all_next = nullptr;    // list of every thread, for reports
};

const char* state_name(ThreadState s);

}  // namespace kernel
