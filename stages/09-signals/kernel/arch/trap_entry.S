/*
 * Exception entry points registered with HYPERVISOR_set_trap_table.
 *
 * A PV x86-64 guest kernel runs in ring 3; Xen catches the exception and "bounces" it to us by
 * building this frame on our stack (xen/arch/x86/x86_64/entry.S, create_bounce_frame):
 *     rcx, r11, [error code], rip, cs, rflags, rsp, ss        (lowest address first)
 * rcx and r11 are there because Xen's return path uses them.  Each stub below restores them,
 * pushes an error code if the CPU did not, and the vector, so trap_common sees one layout:
 * struct TrapFrame in traps.hpp.
 * Book: chapter 01-link (book/stages/01-link.md).
 */
.set HYPERVISOR_IRET, 23            /* __HYPERVISOR_iret in xen/include/public/xen.h */

.macro trap_no_error vector:req, name:req
.globl \name
\name:
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
    pushq $0
    pushq $\vector
    jmp trap_common
.endm

.macro trap_with_error vector:req, name:req
.globl \name
\name:
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
    pushq $\vector
    jmp trap_common
.endm

.text
trap_no_error    0, trap_divide_error
trap_no_error    1, trap_debug
trap_no_error    3, trap_int3
trap_no_error    4, trap_overflow
trap_no_error    5, trap_bounds
trap_no_error    6, trap_invalid_op
trap_no_error    7, trap_device_not_available
trap_no_error    9, trap_coprocessor_segment_overrun
trap_with_error 10, trap_invalid_tss
trap_with_error 11, trap_segment_not_present
trap_with_error 12, trap_stack_segment
trap_with_error 13, trap_general_protection
trap_with_error 14, trap_page_fault
trap_no_error   15, trap_spurious_interrupt_bug
trap_no_error   16, trap_coprocessor_error
trap_with_error 17, trap_alignment_check
trap_no_error   19, trap_simd_coprocessor_error

trap_common:
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi             /* TrapFrame* */
    movq %rsp, %rbx             /* callee-saved: the frame, for the way back */
    /*
     * The trap may have hit Go code on a goroutine stack with little room left (Xen pushes
     * its frame on whatever stack was in use: a PV guest kernel has no stack switch on
     * traps).  Run the handler on the trap stack instead, unless we are on it already
     * (a fault inside the handler).
     */
    leaq trap_stack(%rip), %rax
    cmpq %rax, %rsp
    jb 1f
    leaq trap_stack_top(%rip), %rax
    cmpq %rax, %rsp
    jbe 2f
1:  leaq trap_stack_top(%rip), %rsp
2:  andq $-16, %rsp             /* the C++ ABI wants a 16-byte aligned stack at the call */
    call trap_handler           /* returns only when the trap was dealt with (a demand page) */
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp              /* vector and error code */
    /*
     * Back through Xen: HYPERVISOR_iret takes the frame Xen built (rip, cs, rflags, rsp, ss)
     * below a flags word; its hypercall-page stub pushes rcx, r11 and rax itself
     * (xen-x86_64.h, struct iret_context).  Flags 0: not returning from a system call.
     */
    pushq $0
    jmp hypercall_page + HYPERVISOR_IRET * 32

.section .bss.trap_stack, "aw", @nobits
.p2align 12
/*
 * The page below the trap stack is a guard (traps::guard_pages unmaps it): a handler that
 * faults again and again, or recurses, stops there instead of running down over .bss, and the
 * checker names the page when Xen reports the crash (checker/xen_log.py).
 */
.globl trap_stack_guard
trap_stack_guard:
    .skip 4096
trap_stack:
    .skip 16 * 1024
trap_stack_top:

.section .note.GNU-stack, "", @progbits
