/*
 * hypervisor_callback: where Xen enters the kernel when an event arrives while events are
 * unmasked -- the end of a time slice (VIRQ_TIMER) or a device's event channel -- registered
 * with HYPERVISOR_callback_op(CALLBACKTYPE_event, CALLBACKF_mask_events) (preempt.cpp).
 *
 * Xen builds the same bounce frame as for a trap, on the stack in use, and masks events
 * (the flag); the mask the interrupted code had is kept in the frame (rflags.IF clear if
 * events were masked; HYPERVISOR_iret sets the mask from it):
 *     rcx, r11, rip, cs, rflags, rsp, ss        (lowest address first)
 *
 * Interrupted Go code (rip inside the Go archive's text, [_go_text_start, _go_text_end) from
 * linker.ld) may be switched out.  Its registers are saved on this thread's system-call stack,
 * which is idle whenever the thread runs Go code, so the thread can sleep there until it is
 * picked again.  Interrupted kernel code is never switched out -- the kernel has no locks, it
 * relies on running to its next switch point -- so event_upcall only takes note, on the
 * kernel's one upcall stack (events stay masked until the HYPERVISOR_iret, so it is never
 * entered twice).  Either way Xen's seven words are copied to the new stack first (rcx and
 * r11 are free: their values are in the frame), so of an upcall only those 56 bytes ever land
 * on the interrupted stack, which may be a goroutine's with little room left.
 *
 * Both paths leave struct TrapFrame (traps.hpp) with vector UPCALL_GO or UPCALL_KERNEL.
 * Book: chapter 10-preempt (book/stages/10-preempt.md).
 */
#include "trap_frame.inc"
.set UPCALL_GO, 0x100               /* preempt.hpp: kUpcallGo */
.set UPCALL_KERNEL, 0x101           /* preempt.hpp: kUpcallKernel */

/* Copies Xen's frame from the interrupted stack to below \top and moves there; then lays
 * out the TrapFrame's vector and error-code words as the trap stubs do. */
.macro move_frame_to top:req, vector:req
    movq 48(%rsp), %rcx
    movq %rcx, -8(\top)                /* ss */
    movq 40(%rsp), %rcx
    movq %rcx, -16(\top)               /* rsp */
    movq 32(%rsp), %rcx
    movq %rcx, -24(\top)               /* rflags */
    movq 24(%rsp), %rcx
    movq %rcx, -32(\top)               /* cs */
    movq 16(%rsp), %rcx
    movq %rcx, -40(\top)               /* rip */
    movq 8(%rsp), %rcx
    movq %rcx, -48(\top)               /* r11 */
    movq (%rsp), %rcx
    movq %rcx, -56(\top)               /* rcx */
    leaq -56(\top), %rsp
    movq (%rsp), %rcx
    movq 8(%rsp), %r11
    addq $16, %rsp
    pushq $0                            /* no error code */
    pushq $\vector
.endm

.text
.globl hypervisor_callback
hypervisor_callback:
    movq 16(%rsp), %rcx                 /* the interrupted rip */
    leaq _go_text_start(%rip), %r11
    cmpq %r11, %rcx
    jb in_kernel
    leaq _go_text_end(%rip), %r11
    cmpq %r11, %rcx
    jae in_kernel
    movq current_thread(%rip), %r11
    movq 8(%r11), %r11                  /* current_thread->syscall_stack_top */
    move_frame_to %r11, UPCALL_GO
    jmp upcall_common
in_kernel:
    leaq upcall_stack_top(%rip), %r11
    move_frame_to %r11, UPCALL_KERNEL
upcall_common:
    push_trap_registers
    movq %rsp, %rdi                     /* TrapFrame* */
    movq %rsp, %rbx                     /* callee-saved: the frame, for the way back */
    andq $-16, %rsp
    call event_upcall                   /* may switch threads (Go path) and come back later */
    movq %rbx, %rsp
    pop_trap_registers_and_iret    /* as trap_common: rip, cs, rflags, rsp, ss and the event mask */

.section .bss.upcall_stack, "aw", @nobits
.p2align 4
upcall_stack:
    .skip 8 * 1024
upcall_stack_top:

.section .note.GNU-stack, "", @progbits
