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
    movq %rsp, %rdi
    andq $-16, %rsp             /* the C++ ABI wants a 16-byte aligned stack at the call */
    call trap_handler           /* never returns in this stage: every trap is fatal */
    ud2

.section .note.GNU-stack, "", @progbits
