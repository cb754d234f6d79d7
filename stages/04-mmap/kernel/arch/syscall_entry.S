/*
 * unigornel_syscall: where every system call of the Go runtime arrives.
 *
 * In a PV guest the SYSCALL instruction traps to Xen, not to us, so the Go patch set
 * (go-patches/) replaces each SYSCALL with a call of this function and keeps SYSCALL's register
 * interface (Linux x86-64 system-call ABI):
 *     rax      system-call number            result in rax (-errno on failure)
 *     rdi rsi rdx r10 r8 r9   arguments       rcx, r11 may be clobbered, nothing else
 * Go's assembly relies on that: after SYSCALL it still uses the argument registers, and it
 * called us from a goroutine stack that may have only a few hundred bytes left.  So the first
 * thing done here is to move to this thread's own system-call stack (Thread::syscall_stack_top,
 * offset 8, see thread.hpp); the caller's stack only ever holds our return address.
 * Book: chapter 02-rt0 (book/stages/02-rt0.md).
 */
.text
.globl unigornel_syscall
unigornel_syscall:
    movq %rsp, %rcx                     /* the caller's stack pointer (rcx is ours to clobber) */
    movq current_thread(%rip), %r11
    movq 8(%r11), %rsp                  /* current_thread->syscall_stack_top (16-byte aligned) */
    pushq %rcx                          /* 56(%rsp) after the pushes below: caller's rsp */
    /* struct Args { nr, a0..a5 } (syscalls/args.hpp), in memory order */
    pushq %r9
    pushq %r8
    pushq %r10
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rax
    movq %rsp, %rdi                     /* 8 pushes = 64 bytes: still 16-byte aligned */
    call syscall_dispatch               /* long syscall_dispatch(const Args*) */
    /* Restore the argument registers the handler was free to clobber under the C ABI. */
    movq 8(%rsp), %rdi
    movq 16(%rsp), %rsi
    movq 24(%rsp), %rdx
    movq 32(%rsp), %r10
    movq 40(%rsp), %r8
    movq 48(%rsp), %r9
    movq 56(%rsp), %rsp                 /* back on the caller's stack: the return address */
    ret

.section .note.GNU-stack, "", @progbits
