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
#include "signals/frame.hpp"

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
    GuardedStack stack;          // the thread's own stack (empty for main: the boot stack)
    GuardedStack syscall_stack;  // where its system calls run (syscall_stack_top is its top)
    void* tls_block = nullptr;  // the thread's TLS block and TCB (tls.hpp)
    uint64_t fs_base = 0;       // its thread pointer: loaded into FS whenever it runs

    int errno_value = 0;        // the C library's errno for this thread

    Thread* queue_next = nullptr;  // ThreadQueue link
    Thread* timer_next = nullptr;  // TimerQueue link, while sleeping with a deadline
    uint64_t deadline = 0;         // system time (ns) it sleeps until, 0: none
    bool timed_out = false;        // the last block_until ended at its deadline

    // Signal state (set by syscalls/signals.cpp and signals/send.cpp, read by
    // signals/deliver.cpp): the blocked signals and the signals sent to the thread (tgkill)
    // not delivered yet, one bit each (bit sig - 1, as in a sigset_t), and the alternate stack
    // a handler runs on.
    uint64_t signal_mask = 0;
    uint64_t altstack_sp = 0, altstack_size = 0;
    int altstack_flags = signals::kSsDisable;
    uint64_t pending_signals = 0;
    bool interruptible = false;  // blocked in a system call's wait that a signal ends (EINTR)
    bool interrupted = false;    // ... and a signal ended it

    // Preemption (preempt.cpp): the vCPU's event mask is the running thread's, so a switch
    // saves it here and restores the next thread's; the FPU state of a thread switched out in
    // the middle of Go code (fpu.hpp; 64-byte aligned).
    uint8_t upcall_mask = 1;
    void* fpu_area = nullptr;
    void* fpu_block = nullptr;  // the heap block fpu_area lies in
    Thread* all_next = nullptr;    // list of every thread, for reports
};

const char* state_name(ThreadState s);

}  // namespace kernel
