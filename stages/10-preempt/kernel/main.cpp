// Stage 10-preempt: preemption and asynchronous signals.  Events are unmasked and a time
// slice that ends in Go code switches the thread out (the event upcall, preempt.cpp), so a
// goroutine spinning in for {} cannot keep the vCPU; signals sent with tgkill -- Go's
// SIGURG, which preempts a goroutine -- and the console's ^C reach Go's handlers, and a wait
// in the kernel that a signal ends says EINTR.  Beneath it, faults delivered as signals, and
// the kernel that boots the Go runtime with its threads, memory, console and network card.
// Book: chapter 10-preempt (book/stages/10-preempt.md).
#include "console.hpp"
#include "hypercall.hpp"
#include "memory/memory.hpp"
#include "fpu.hpp"
#include "net/netfront.hpp"
#include "panic.hpp"
#include "preempt.hpp"
#include "rt0.hpp"
#include "scheduler.hpp"
#include "selftest.hpp"
#include "shared_info.hpp"
#include "start_info_report.hpp"
#include "syscalls/table.hpp"
#include "time/timer.hpp"
#include "traps.hpp"
#include "tty/tty.hpp"
#include "xenbus/grant_table.hpp"
#include "xenbus/xenstore.hpp"

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
    kernel::memory::init(*si);         // frames, page tables, the address space behind mmap
    kernel::time::init_timer();        // clocks from Xen's time info, the single-shot timer
    kernel::fpu::init();               // what a preempted thread's FPU state takes: XSAVE or FXSAVE
    kernel::sched::init();             // threads: the boot stack becomes thread 1 "main"
    kernel::syscalls::init_files();    // file descriptors 0, 1, 2: the console
    kernel::tty::init();               // console input: the ring's in[] half, the line discipline
    kernel::xenbus::init_xenstore(*si);  // the xenstore ring: what the toolstack says of our devices
    kernel::grant::init();             // the grant table: the pages we share with backends
    kernel::net::init();               // the network card, device/vif/0 (each XenBus step printed)
    kernel::net::export_environment(); // its MAC, MTU and address for Go: VIF0_MAC, VIF0_MTU, VIF0_IP
    kernel::syscalls::configure(cmdline);         // the system-call table and its log ("strace=")
    kernel::selftest::run_if_requested(cmdline);  // "selftest=...": a demonstration instead of Go
    kernel::preempt::init();           // events unmasked: time slices end with an upcall

    kernel::rt0::run_init_array(cmdline);  // the Go runtime's initialiser, on a thread of its own
    printf("[rt0] the Go runtime's initialiser has run; calling Main()\n");
    Main();
    printf("Main() returned\n");
    kernel::net::print_stats();
    kernel::preempt::print_stats();
    kernel::memory::print_stats("memory");
    kernel::poweroff_domain();
}
