/*
 * Entry point and Xen PV boot contract.
 *
 * Xen (or xl's domain builder) reads the ELF notes below to learn how to boot us: where to
 * jump (ENTRY), where to write the hypercall trampolines (HYPERCALL_PAGE), and that virtual
 * address = pseudo-physical address (VIRT_BASE = PADDR_OFFSET = 0).  It then maps the image,
 * the start_info page, the bootstrap page tables and some spare pages into our address space
 * and jumps to _start with %rsi pointing at start_info (xen/include/public/xen.h, "start_info").
 * Book: chapter 01-link (book/stages/01-link.md).
 */
#include <xen/elfnote.h>

/* One ELF note owned by "Xen": namesz, descsz, type, name, desc (each 4-byte aligned).
 * (gas strips the quotes of a string macro argument, so strings and numbers get a macro each.) */
.macro xen_note_begin type:req
    .p2align 2
    .long 2f - 1f
    .long 4f - 3f
    .long \type
1:  .asciz "Xen"
2:  .p2align 2
3:
.endm
.macro xen_note_end
4:  .p2align 2
.endm
.macro xen_note_string type:req, text:req
    xen_note_begin \type
    .asciz "\text"
    xen_note_end
.endm
.macro xen_note_quad type:req, value:req
    xen_note_begin \type
    .quad \value
    xen_note_end
.endm

.section .note.Xen, "a", @note
    xen_note_string XEN_ELFNOTE_GUEST_OS, "Unigornel"
    xen_note_string XEN_ELFNOTE_GUEST_VERSION, UNIGORNEL_STAGE  /* from CMake: the directory name */
    xen_note_string XEN_ELFNOTE_XEN_VERSION, "xen-3.0"
    xen_note_string XEN_ELFNOTE_LOADER, "generic"
    xen_note_quad XEN_ELFNOTE_VIRT_BASE, 0
    xen_note_quad XEN_ELFNOTE_PADDR_OFFSET, 0
    xen_note_quad XEN_ELFNOTE_ENTRY, _start
    xen_note_quad XEN_ELFNOTE_HYPERCALL_PAGE, hypercall_page

/* The first page of the image is a guard: kernel_main unmaps it so a NULL dereference faults. */
.section .boot.guard, "a"
    .fill 4096, 1, 0

.section .text.boot, "ax"
.globl _start
_start:
    cld
    /* Xen's bootstrap stack is fine, but ours has a known size and a symbol for the fault report. */
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp                 /* end of the frame-pointer chain */
    movq %rsi, %rdi                 /* kernel_main(const start_info*) */
    call kernel_main
    ud2                             /* kernel_main never returns */

/*
 * Xen fills this page with 128 stubs of 32 bytes; hypercall N is "call hypercall_page + N*32"
 * with arguments in rdi, rsi, rdx, r10, r8 and the result in rax (xen.h, "hypercall").
 */
.section .text.hypercall_page, "ax"
.p2align 12
.globl hypercall_page
hypercall_page:
    .fill 4096, 1, 0xcc

.section .bss.stack, "aw", @nobits
.p2align 12
/*
 * The page below the boot stack is a guard: kernel_main unmaps it (traps::guard_pages), so a
 * stack that overflows stops right there instead of running down over the kernel image.  Xen
 * cannot deliver that fault (it writes the exception frame onto the same stack) and crashes
 * the domain; the checker reads Xen's log and names the page (checker/xen_log.py).
 */
.globl boot_stack_guard
boot_stack_guard:
    .skip 4096
.globl boot_stack
boot_stack:
    .skip 64 * 1024
.globl boot_stack_top
boot_stack_top:

.section .note.GNU-stack, "", @progbits
