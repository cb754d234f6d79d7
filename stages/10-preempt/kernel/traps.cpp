// Book: chapter 01-link (book/stages/01-link.md).
#include "traps.hpp"

#include "console.hpp"
#include "fault_hints.hpp"
#include "hypercall.hpp"
#include "memory/memory.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "shared_info.hpp"
#include "signals/deliver.hpp"
#include "signals/numbers.hpp"

extern "C" {
extern char boot_stack_guard[];  // arch/boot.S: the page below the boot stack
extern char trap_stack_guard[];  // arch/trap_entry.S: the page below the trap stack
void trap_divide_error();
void trap_debug();
void trap_int3();
void trap_overflow();
void trap_bounds();
void trap_invalid_op();
void trap_device_not_available();
void trap_coprocessor_segment_overrun();
void trap_invalid_tss();
void trap_segment_not_present();
void trap_stack_segment();
void trap_general_protection();
void trap_page_fault();
void trap_spurious_interrupt_bug();
void trap_coprocessor_error();
void trap_alignment_check();
void trap_simd_coprocessor_error();
void trap_handler(kernel::traps::TrapFrame* frame);
}

namespace kernel::traps {
namespace {

trap_info entry(uint8_t vector, uint8_t dpl, void (*handler)()) {
    // cs must be a kernel code selector; FLAT_KERNEL_CS is the one Xen gives 64-bit PV kernels.
    return trap_info{vector, dpl, FLAT_KERNEL_CS, reinterpret_cast<unsigned long>(handler)};
}

}  // namespace

void init() {
    // Vectors Xen lets a PV guest handle (2 NMI, 8 #DF and 18 #MC stay with Xen).  int3, into
    // and bound get DPL 3 so that they can be raised on purpose by the instruction.
    static trap_info table[] = {
        entry(0, 0, trap_divide_error),           entry(1, 0, trap_debug),
        entry(3, 3, trap_int3),                   entry(4, 3, trap_overflow),
        entry(5, 3, trap_bounds),                 entry(6, 0, trap_invalid_op),
        entry(7, 0, trap_device_not_available),   entry(9, 0, trap_coprocessor_segment_overrun),
        entry(10, 0, trap_invalid_tss),           entry(11, 0, trap_segment_not_present),
        entry(12, 0, trap_stack_segment),         entry(13, 0, trap_general_protection),
        entry(14, 0, trap_page_fault),            entry(15, 0, trap_spurious_interrupt_bug),
        entry(16, 0, trap_coprocessor_error),     entry(17, 0, trap_alignment_check),
        entry(19, 0, trap_simd_coprocessor_error),
        trap_info{0, 0, 0, 0},  // terminator
    };
    if (long rc = hv::set_trap_table(table); rc != 0) panic("HYPERVISOR_set_trap_table failed: %ld", rc);
    console::printf("trap table installed: faults are reported, then the domain is stopped\n");
}

void guard_pages() {
    if (long rc = hv::update_va_mapping(0, 0, UVMF_INVLPG); rc != 0)
        panic("cannot unmap the NULL guard page (update_va_mapping returned %ld)", rc);
    auto stack_guard = reinterpret_cast<uint64_t>(boot_stack_guard);
    if (long rc = hv::update_va_mapping(stack_guard, 0, UVMF_INVLPG); rc != 0)
        panic("cannot unmap the boot stack's guard page (update_va_mapping returned %ld)", rc);
    auto trap_guard = reinterpret_cast<uint64_t>(trap_stack_guard);
    if (long rc = hv::update_va_mapping(trap_guard, 0, UVMF_INVLPG); rc != 0)
        panic("cannot unmap the trap stack's guard page (update_va_mapping returned %ld)", rc);
    console::printf("guard pages: address 0 (NULL) and the pages below the boot and trap stacks are unmapped\n");
}

}  // namespace kernel::traps

using kernel::console::printf;

namespace {

// A page fault the kernel could not back for want of a frame is not the program's error.  As
// Linux's OOM killer does (mm/oom_kill.c: the victim gets SIGKILL, which no handler sees), the
// program is killed, and the report says it ran out of memory, not that it faulted.
[[noreturn]] void out_of_memory(const kernel::traps::TrapFrame* f, uint64_t address, const char* note) {
    using namespace kernel;
    printf("\n*** OUT OF MEMORY: a page fault at vaddr 0x%lx needed a frame and none is left", address);
    if (Thread* t = sched::current()) printf(" (thread %d \"%s\")", t->id, t->name);
    printf("\n    memory   %s\n    rip      ", note);
    print_code_address(f->rip);
    printf("\n    the program is killed, as Linux's OOM killer kills a process (SIGKILL: no handler runs)\n");
    memory::print_stats("memory when it ran out");
    crash_domain();
}

// The signal Linux sends for a fault (arch/x86/kernel/traps.c, fault.c), with its si_code and
// si_addr; 0 for the vectors that are not turned into signals here.
int signal_for(const kernel::traps::TrapFrame* f, int* code, uint64_t* addr) {
    using namespace kernel::signals;
    *addr = 0;
    switch (f->vector) {
        case 14: {  // si_addr is the faulting address; as Linux's do_user_addr_fault: ACCERR
                    // for memory that is mapped but not for this access, MAPERR where none is
            *addr = kernel::shinfo::vcpu0().arch.cr2;
            bool mapped = kernel::memory::ready() && kernel::memory::address_space().is_program_memory(*addr);
            *code = (f->error_code & 1) || mapped ? kSegvAccerr : kSegvMaperr;
            return kSigsegv;
        }
        case 13: *code = kSiKernel; return kSigsegv;  // #GP: a non-canonical address, say
        case 0: *code = kFpeIntdiv, *addr = f->rip; return kSigfpe;
        case 6: *code = kIllIllopn, *addr = f->rip; return kSigill;
        default: return 0;
    }
}

}  // namespace

extern "C" void trap_handler(kernel::traps::TrapFrame* f) {
    using namespace kernel;
    const char* memory_note = nullptr;
    if (f->vector == 14 && memory::ready()) {
        // Error code bits (Intel SDM 4.7): 0 page present, 1 write, 4 instruction fetch.
        uint64_t address = shinfo::vcpu0().arch.cr2;
        auto& space = memory::address_space();
        if (space.handle_fault(address, (f->error_code & 2) != 0, (f->error_code & 1) != 0)) return;
        if (space.out_of_memory()) out_of_memory(f, address, space.note());
        memory_note = space.note();
    }
    // A fault the kernel cannot fix is the program's: Go's handler gets it as a signal, as on
    // Linux (its sigpanic makes a nil dereference a runtime error that recover can catch).
    const char* not_delivered = nullptr;
    int code = 0;
    uint64_t addr = 0;
    if (int sig = signal_for(f, &code, &addr); sig != 0) {
        if (signals::deliver_fault(f, sig, code, addr, &not_delivered)) return;  // trap_common irets into the handler
    }
    printf("\n*** CPU FAULT: %s (%s, vector %lu)", traps::name(f->vector), traps::mnemonic(f->vector), f->vector);
    if (Thread* t = sched::current()) printf(" in thread %d \"%s\"", t->id, t->name);
    printf("\n");
    if (f->vector == 14) {
        // A PV kernel does not read CR2 itself: Xen stores the faulting address in vcpu_info.
        char what[96];
        traps::describe_page_fault(f->error_code, what, sizeof what);
        printf("    address  0x%lx: %s\n", shinfo::vcpu0().arch.cr2, what);
        if (memory_note && *memory_note) printf("    memory   %s\n", memory_note);
    } else if (f->error_code != 0) {
        printf("    error code 0x%lx\n", f->error_code);
    }
    printf("    rip      ");
    print_code_address(f->rip);
    printf("\n    rsp      vaddr 0x%lx\n", f->rsp);
    printf("  | rax %016lx rbx %016lx rcx %016lx\n", f->rax, f->rbx, f->rcx);
    printf("  | rdx %016lx rsi %016lx rdi %016lx\n", f->rdx, f->rsi, f->rdi);
    printf("  | rbp %016lx r8  %016lx r9  %016lx\n", f->rbp, f->r8, f->r9);
    printf("  | r10 %016lx r11 %016lx r12 %016lx\n", f->r10, f->r11, f->r12);
    printf("  | r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
    // Xen keeps the saved event-upcall mask in bits 32+ of the CS slot (xen-x86_64.h,
    // "saved_upcall_mask"); only the low 16 bits are the selector.
    printf("  | rflags %016lx cs %04lx ss %04lx\n", f->rflags, f->cs & 0xffff, f->ss & 0xffff);
    if (f->vector == 14) {
        Thread* t = sched::current();
        print_fault_hints(f->vector, shinfo::vcpu0().arch.cr2, t ? t->fs_base : 0);
    }
    if (not_delivered) printf("    signal   not delivered to Go: %s\n", not_delivered);
    if (memory::ready()) memory::print_stats("memory at the fault");
    crash_domain();
}
