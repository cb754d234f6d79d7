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
#include "trap_frame.inc"

/* The argument registers, from the struct Args block at the stack pointer. */
.macro restore_arguments
    movq 8(%rsp), %rdi
    movq 16(%rsp), %rsi
    movq 24(%rsp), %rdx
    movq 32(%rsp), %r10
    movq 40(%rsp), %r8
    movq 48(%rsp), %r9
.endm

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
    /* A signal for this thread, sent while it was in here or the reason the call
     * ends with EINTR, is delivered on the way out, as Linux does on its return to user mode. */
    subq $16, %rsp                      /* the result, and the stack kept 16-byte aligned */
    movq %rax, (%rsp)
    call signal_waiting                 /* int signal_waiting(void) */
    testl %eax, %eax
    movq (%rsp), %rax
    leaq 16(%rsp), %rsp                 /* lea: the flags of the test survive */
    jnz deliver_on_exit
    /* Restore the argument registers the handler was free to clobber under the C ABI. */
    restore_arguments
    movq 56(%rsp), %rsp                 /* back on the caller's stack: the return address */
    ret

/*
 * The way out with a signal to deliver: the caller's context as a TrapFrame (traps.hpp) on
 * this stack, as if the call's return had trapped -- rip its return address, rsp above it,
 * rax the result, the argument registers as they came in, rcx and r11 what SYSCALL leaves
 * there (rip and rflags), and every callee-saved register as the handler left it, which is
 * the caller's -- then deliver_on_syscall_exit points the frame at the signal's handler and
 * HYPERVISOR_iret enters it.  Its rt_sigreturn resumes the caller at the return address.
 */
/* FLAT_RING3_CS64 and _SS64 (xen-x86_64.h), the selectors a 64-bit PV kernel runs with, but
 * with the CS's RPL cleared as in the frames Xen bounces to the guest kernel: HYPERVISOR_iret
 * takes RPL 3 for a return to the guest's user mode (xen/arch/x86/pv/iret.c). */
.set KERNEL_MODE_CS, 0xe030
.set KERNEL_MODE_SS, 0xe02b
.set SYSCALL_EXIT, 0x102            /* the TrapFrame's vector: not a trap (no trapno, no error code) */
deliver_on_exit:
    restore_arguments
    movq 56(%rsp), %r11                 /* the caller's stack pointer, at its return address */
    pushq $KERNEL_MODE_SS
    leaq 8(%r11), %rcx
    pushq %rcx                          /* rsp once returned */
    pushfq
    orq $0x200, (%rsp)                  /* IF: HYPERVISOR_iret unmasks events, as they were */
    pushq $KERNEL_MODE_CS
    pushq (%r11)                        /* rip: the return address */
    pushq $0                            /* no error code */
    pushq $SYSCALL_EXIT
    movq 16(%rsp), %rcx                 /* SYSCALL's rcx: the rip */
    movq 32(%rsp), %r11                 /* SYSCALL's r11: the rflags */
    push_trap_registers
    movq %rsp, %rdi                     /* TrapFrame* */
    movq %rsp, %rbx                     /* already saved in the frame */
    andq $-16, %rsp
    call deliver_on_syscall_exit
    movq %rbx, %rsp
    pop_trap_registers_and_iret

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
