// Book: chapter 02-rt0 (book/stages/02-rt0.md); "stackfault": chapter 04-mmap.
#include "selftest.hpp"

#include <stdint.h>

#include "address.hpp"
#include "cmdline.hpp"
#include "console.hpp"
#include "memory/memory.hpp"
#include "panic.hpp"

extern "C" int strcmp(const char*, const char*);  // exported from Go (go/main.go) through cgo

namespace kernel::selftest {
namespace {

// "selftest=pagefault": fault on purpose to show the fault report.
[[noreturn]] void page_fault() {
    auto* p = reinterpret_cast<volatile uint64_t*>(0xdead0000);
    console::printf("selftest: reading address %p, which nothing maps\n", (void*)p);
    (void)*p;
    panic("selftest: the read of an unmapped address did not fault");
}

// Calls unigornel_syscall exactly as the patched Go runtime does: SYSCALL's registers, a CALL
// instead of the instruction.  Returns the result and checks that the six argument registers
// came back unchanged, as they do after a real SYSCALL.
long call_entry(uint64_t nr, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
                uint64_t a5 = 0) {
    uint64_t rax = nr, rdi = a0, rsi = a1, rdx = a2;
    register uint64_t r10 asm("r10") = a3;
    register uint64_t r8 asm("r8") = a4;
    register uint64_t r9 asm("r9") = a5;
    asm volatile("call unigornel_syscall"
                 : "+a"(rax), "+D"(rdi), "+S"(rsi), "+d"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                 :
                 : "rcx", "r11", "memory", "cc");
    // Name each register that changed, with what it held and what came back: "rdi" says which
    // reload in syscall_entry.S to look at.
    const uint64_t want[6] = {a0, a1, a2, a3, a4, a5}, got[6] = {rdi, rsi, rdx, r10, r8, r9};
    static const char* const names[6] = {"rdi", "rsi", "rdx", "r10", "r8", "r9"};
    for (int i = 0; i < 6; ++i)
        if (want[i] != got[i])
            panic("unigornel_syscall did not preserve %s (SYSCALL does): it went in as 0x%lx and came back as 0x%lx "
                  "(system call %lu)",
                  names[i], want[i], got[i], nr);
    return static_cast<long>(rax);
}

// "selftest=syscall": the system-call route on its own, without Go.
[[noreturn]] void syscall_route() {
    console::printf("selftest: calling unigornel_syscall the way the patched Go runtime does\n");
    static const char message[] = "hello through the system-call entry\n";
    call_entry(39);                                                          // getpid
    call_entry(1, 1, reinterpret_cast<uint64_t>(message), sizeof message - 1);  // write
    uint64_t old[4] = {};
    for (uint64_t sig = 1; sig <= 5; ++sig) call_entry(13, sig, 0, reinterpret_cast<uint64_t>(old), 8);  // rt_sigaction
    call_entry(204, 0, 64, reinterpret_cast<uint64_t>(old));                 // sched_getaffinity
    call_entry(1000, 1, 2, 3, 4, 5, 6);                                      // no such call
    console::printf("selftest: every call came back with the argument registers intact\n");
    call_entry(231, 0);                                                      // exit_group(0)
    panic("selftest: exit_group returned");
}

// "selftest=flood": 256 KiB of console output as fast as the kernel can write it, then power
// off: what tools/benchmark-hello.py measures the console's sustained rate with.
[[noreturn]] void console_flood() {
    constexpr unsigned kLines = 4096;  // 64 bytes each, with the CR the console adds
    for (unsigned i = 0; i < kLines; ++i)
        console::printf("flood line %05u: the quick brown fox jumps over the lazy dog.\n", i);
    console::printf("selftest: %u lines written\n", kLines);
    poweroff_domain();
}

// "selftest=stackfault": the fault Xen cannot deliver (book chapter 04-mmap).  Two pages from
// mmap, committed, frames on first touch.  The upper one is written from ordinary code: a demand
// fault, handled on the trap stack.  Then the stack pointer is put 16 bytes above the lower page
// and three words are pushed: the third lands on the lower page, which has no frame.  Xen writes
// the exception frame just below rsp, on that same page (a PV kernel's fault in kernel mode is
// delivered on the current stack: xen/arch/x86/x86_64/entry.S, create_bounce_frame); that write
// faults as well, and Xen crashes the domain (domain_crash_sync) before any code of the kernel
// runs.  Should the kernel get control back, the panic below says so.
[[noreturn]] void stack_fault() {
    long base = memory::address_space().mmap(0, 2 * kPageSize, memory::PROT_READ | memory::PROT_WRITE,
                                             memory::MAP_PRIVATE | memory::MAP_ANONYMOUS, -1, 0);
    if (base < 0) panic("selftest: mmap of two pages failed (%ld)", base);
    *reinterpret_cast<volatile uint64_t*>(base + kPageSize) = 1;  // the upper page: a demand fault, handled
    console::printf("selftest: two pages from mmap; the upper one has a frame now (a demand fault, handled), "
                    "the lower one has none\n");
    console::printf("selftest: pushing three words onto a stack 16 bytes above the lower page...\n");
    uint64_t sp = static_cast<uint64_t>(base) + kPageSize + 16;
    asm volatile("mov %%rsp, %%rbx\n\t"
                 "mov %0, %%rsp\n\t"
                 "pushq $1\n\t"
                 "pushq $2\n\t"
                 "pushq $3\n\t"  // the lower page: #PF, and Xen's frame for it faults too
                 "mov %%rbx, %%rsp"
                 :
                 : "r"(sp)
                 : "rbx", "memory");
    panic("selftest: the pushes are done and the kernel runs on: no push faulted, or Xen delivered the fault");
}

}  // namespace

void run_if_requested(const char* cmdline) {
    char which[32];
    if (!cmdline::get(cmdline, "selftest", which, sizeof which)) return;
    if (strcmp(which, "pagefault") == 0) page_fault();
    if (strcmp(which, "syscall") == 0) syscall_route();
    if (strcmp(which, "flood") == 0) console_flood();
    if (strcmp(which, "stackfault") == 0) stack_fault();
    panic("unknown selftest \"%s\" (known: pagefault, syscall, flood, stackfault)", which);
}

}  // namespace kernel::selftest
