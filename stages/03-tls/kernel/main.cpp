// Stage 03-tls: every thread gets its own thread-local storage block, and the scheduler loads
// its thread pointer into FS (HYPERVISOR_set_segment_base) whenever it switches, so Go finds
// its goroutine pointer g at %fs:-8 and the runtime initialises until it needs memory.
// Book: chapter 03-tls (book/stages/03-tls.md).
#include "console.hpp"
#include "hypercall.hpp"
#include "kernel_stack.hpp"
#include "panic.hpp"
#include "rt0.hpp"
#include "scheduler.hpp"
#include "selftest.hpp"
#include "shared_info.hpp"
#include "start_info_report.hpp"
#include "syscalls/table.hpp"
#include "traps.hpp"

extern "C" void Main();

namespace {

void console_sink(void*, const char* text, size_t length) { kernel::console::write(text, length); }

}  // namespace

// The kernel's start: boot.S calls it on the boot stack with Xen's start_info.  One call per
// subsystem, in the order they need each other; each prints the line that says what it set up.
extern "C" [[noreturn]] void kernel_main(const start_info* si) {
    using kernel::console::printf;
    const char* cmdline = reinterpret_cast<const char*>(si->cmd_line);
    kernel::console::init(*si);  // the PV console ring: printf works from here on
    long version = kernel::hv::xen_version(XENVER_version, nullptr);
    printf("\nUnigornel stage %s: %s\n", UNIGORNEL_STAGE, UNIGORNEL_STAGE_TITLE);
    printf("running on Xen %ld.%ld\n", version >> 16, version & 0xffff);
    kernel::traps::guard_pages();  // first: a NULL dereference or a boot stack overflow faults from here on
    kernel::report_start_info(*si, console_sink, nullptr);  // what Xen handed over

    kernel::shinfo::init(*si);         // shared_info: event channels, Xen's clock
    kernel::traps::init();             // the trap table: a fault is diagnosed, the domain stopped
    kernel::init_stacks(*si);          // thread stacks get guard pages (kernel_stack.hpp)
    kernel::sched::init();             // threads: the boot stack becomes thread 1 "main"
    kernel::syscalls::configure(cmdline);         // the system-call table and its log ("strace=")
    kernel::selftest::run_if_requested(cmdline);  // "selftest=...": a demonstration instead of Go

    kernel::rt0::run_init_array();  // the Go runtime's initialiser, on a thread of its own
    printf("[rt0] the Go runtime's initialiser has run; calling Main()\n");
    Main();
    printf("Main() returned\n");
    kernel::poweroff_domain();
}
