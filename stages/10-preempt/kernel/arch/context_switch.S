/*
 * Switching kernel threads (scheduler.cpp).
 *
 * Threads only switch inside a call to the scheduler, so the C ABI already lets us clobber
 * every caller-saved register: only rbx, rbp and r12-r15 (and the stack pointer) must survive.
 * The kernel is built with -mgeneral-regs-only, so it never touches the SSE/x87 state that the
 * interrupted Go or C code may still need; there is none to save.
 *
 * void context_switch(uint64_t *save_rsp, uint64_t new_rsp)
 * Book: chapter 02-rt0 (book/stages/02-rt0.md).
 */
.text
.globl context_switch
context_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/*
 * A new thread's first context_switch "returns" here (scheduler.cpp builds that frame).
 * The stack is aligned as right after a call instruction; thread_start never returns.
 */
.globl thread_first_run
thread_first_run:
    xorl %ebp, %ebp             /* end of the frame-pointer chain, for backtraces */
    call thread_start
    ud2

.section .note.GNU-stack, "", @progbits
