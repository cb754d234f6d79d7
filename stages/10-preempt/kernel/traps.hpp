// CPU exceptions: registration with Xen and the fault report.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stdint.h>

namespace kernel::traps {

// What trap_common (arch/trap_entry.S) leaves on the stack, lowest address first.
struct TrapFrame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error_code;
    uint64_t rip, cs, rflags, rsp, ss;  // pushed by Xen's bounce frame
};

// Registers the exception handlers with HYPERVISOR_set_trap_table.  Page faults in committed
// memory are served by demand paging (memory/address_space.cpp); every other trap is fatal.
void init();

// Unmaps the page at virtual address 0 (boot.S maps it) so that a NULL dereference faults,
// and the pages below the boot stack (boot.S: boot_stack_guard) and the trap stack
// (trap_entry.S: trap_stack_guard) so that an overflow stops there.
void guard_pages();

// "page fault" for 14, "general protection fault" for 13, ...; "unknown trap" otherwise.
const char* name(uint64_t vector);
// "#PF" for 14, ...; "#??" otherwise.
const char* mnemonic(uint64_t vector);

// Describes a page-fault error code: "read of a not-present page" / "write to a page that forbids it" ...
void describe_page_fault(uint64_t error_code, char* buf, unsigned long size);

}  // namespace kernel::traps
