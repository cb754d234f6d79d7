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
.set HYPERVISOR_IRET, 23            /* __HYPERVISOR_iret in xen/include/public/xen.h */

.text
.globl unigornel_syscall
unigornel_syscall:
    cmpq $15, %rax                      /* rt_sigreturn: resumes a context, never returns here */
    je unigornel_rt_sigreturn
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

/*
 * rt_sigreturn.  Entered from Go's sa_restorer (runtime·sigreturn), which the
 * handler's RET reached with rsp at the signal frame's ucontext; its CALL of the trampoline
 * (a tail jump to us) left one return address below it.  signal_return (signals/deliver.cpp)
 * restores the mask and the FPU state and hands back the sigcontext, which the handler may
 * have changed (Go's sigpanic injection moves rip and rsp).  Every register is then loaded
 * from it and HYPERVISOR_iret resumes it, exactly as trap_common returns from a trap: the
 * frame (rip, cs, rflags, rsp, ss) under a flags word, rax, rcx and r11 pushed by the
 * hypercall page's stub itself.
 */
/* The restorer the C library puts in every sigaction (libc/syscall_wrappers.cpp), glibc's
 * __restore_rt: a handler's RET lands here with rsp at the ucontext, and the CALL leaves its
 * return address just below it, as the Go runtime's own restorer would. */
.globl unigornel_restore_rt
unigornel_restore_rt:
    movq $15, %rax
    call unigornel_syscall
    ud2                                 /* rt_sigreturn does not return */

unigornel_rt_sigreturn:
    leaq 8(%rsp), %rdi                  /* struct ucontext* */
    movq current_thread(%rip), %r11
    movq 8(%r11), %rsp                  /* current_thread->syscall_stack_top */
    call signal_return                  /* const SigContext* signal_return(uint64_t) */
    movq %rax, %r11
    pushq 200(%r11)                     /* ss: the full slot Xen gave (sigcontext reserved[1]) */
    pushq 120(%r11)                     /* rsp */
    pushq 136(%r11)                     /* rflags */
    pushq 192(%r11)                     /* cs, with Xen's saved upcall mask (reserved[0]) */
    pushq 128(%r11)                     /* rip */
    pushq $0                            /* flags: not returning from a system call */
    movq 0(%r11), %r8
    movq 8(%r11), %r9
    movq 16(%r11), %r10
    movq 32(%r11), %r12
    movq 40(%r11), %r13
    movq 48(%r11), %r14
    movq 56(%r11), %r15
    movq 64(%r11), %rdi
    movq 72(%r11), %rsi
    movq 80(%r11), %rbp
    movq 88(%r11), %rbx
    movq 96(%r11), %rdx
    movq 104(%r11), %rax
    movq 112(%r11), %rcx
    movq 24(%r11), %r11                 /* last: r11 held the pointer */
    jmp hypercall_page + HYPERVISOR_IRET * 32

.section .note.GNU-stack, "", @progbits
