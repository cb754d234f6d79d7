// Stage 02-rt0: the kernel starts the Go runtime.  It gets threads and a cooperative scheduler,
// a Linux system-call entry for the patched runtime (unigornel_syscall, a table of handlers,
// a log), and runs the archive's .init_array -- the runtime's initialiser -- with the
// argc/argv/envp/auxv a Linux process would have.
#include "cmdline.hpp"
#include "console.hpp"
#include "hypercall.hpp"
#include "panic.hpp"
#include "rt0.hpp"
#include "scheduler.hpp"
#include "selftest.hpp"
#include "shared_info.hpp"
#include "start_info_report.hpp"
#include "syscalls/table.hpp"
#include "traps.hpp"

extern "C" void Main();

// From the linker script.
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
extern "C" char _tdata_size[], _tbss_size[];  // absolute symbols: their address is the size

namespace {

void console_sink(void*, const char* text, size_t length) { kernel::console::write(text, length); }

// Unmaps the guard page at virtual address 0 (boot.S) so that a NULL dereference faults.
void unmap_null_page() {
    if (long rc = kernel::hv::update_va_mapping(0, 0, UVMF_INVLPG); rc != 0)
        kernel::panic("cannot unmap the NULL guard page (update_va_mapping returned %ld)", rc);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(const start_info* si) {
    using kernel::console::printf;
    kernel::console::init(*si);
    long version = kernel::hv::xen_version(XENVER_version, nullptr);
    printf("\nUnigornel stage 02-rt0: the kernel starts the Go runtime\n");
    printf("running on Xen %ld.%ld\n", version >> 16, version & 0xffff);
    kernel::report_start_info(*si, console_sink, nullptr);

    kernel::shinfo::init(*si);
    printf("shared_info mapped\n");
    kernel::traps::init();
    printf("trap table installed: faults are reported, then the domain is stopped\n");
    unmap_null_page();
    printf("NULL guard: the page at address 0 is unmapped\n");
    kernel::sched::init();
    printf("scheduler: thread 1 \"main\" runs on the boot stack; threads switch only when they block\n");
    kernel::console::set_before_write(kernel::syscalls::flush_log);
    printf("system calls: unigornel_syscall -> table -> log; calls without a handler return -ENOSYS\n");

    kernel::selftest::run_if_requested(reinterpret_cast<const char*>(si->cmd_line));

    printf("Go c-archive: .init_array has %ld entry; TLS template .tdata %ld bytes, .tbss %ld bytes\n",
           static_cast<long>(__init_array_end - __init_array_start), reinterpret_cast<long>(_tdata_size),
           reinterpret_cast<long>(_tbss_size));
    kernel::rt0::run_init_array();
    printf("[rt0] the Go runtime's initialiser has run; calling Main()\n");
    Main();
    printf("Main() returned\n");
    kernel::poweroff_domain();
}
