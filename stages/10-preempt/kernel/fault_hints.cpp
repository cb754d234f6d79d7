// Book: chapter 02-rt0 (book/stages/02-rt0.md).
#include "fault_hints.hpp"

#include "console.hpp"

namespace kernel {

void print_fault_hints(uint64_t vector, uint64_t address, uint64_t fs_base) {
    using console::printf;
    if (vector != 14) return;
    if (fs_base == 0 && address >= 0xfffffffffffff000) {
        // Go 1.19 keeps the running goroutine g in the initial-exec TLS variable runtime.tlsg;
        // the kernel's static link relaxes its access to local-exec: %fs:-8 (book/stages/03-tls.md).
        long offset = static_cast<long>(address);
        printf("    why:  the address is %%fs:%ld with FS base 0.  Go keeps the running goroutine, g,\n"
               "          in thread-local storage at %%fs:-8 (runtime.tlsg) and reads it on entry to\n"
               "          Go code.  FS base 0 means this thread has no TLS block, so the access wraps\n"
               "          round to the top of the address space, which nothing maps.\n"
               "    hint: sched::create gives every thread a block and switch_to loads it into FS;\n"
               "          a thread running with FS base 0 means one of them was bypassed.\n",
               offset);
        return;
    }
    if (fs_base != 0 && address >= fs_base - 4096 && address < fs_base + 4096) {
        printf("    why:  the address is next to this thread's TLS block (FS base 0x%lx).\n", fs_base);
        return;
    }
    if (address >= 0xf1 && address <= 0xff) {
        // runtime/sys_linux_amd64.s: "MOVL $0xf1, 0xf1  // crash" after a failed
        // rt_sigprocmask, sigaltstack, arch_prctl (settls) or munmap: the runtime cannot go on.
        printf("    why:  Go's assembly writes to address 0x%lx to crash on purpose when a system\n"
               "          call it cannot do without fails: see the function in rip, and the last\n"
               "          [syscall] line above.\n"
               "    hint: stage 05-futex accepts the signal-mask calls and adds what threads need.\n",
               address);
        return;
    }
    if (address < 4096) {
        printf("    why:  the address is in the first page: a NULL pointer was dereferenced.\n");
    }
}

}  // namespace kernel
