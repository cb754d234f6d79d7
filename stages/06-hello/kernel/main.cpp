// Stage 06-hello: write to the console for fds 1 and 2, pipes and epoll for Go's netpoller
// (time.Sleep), and the kernel functions Go calls through cgo: "Hello World!" from
// fmt.Println, and the 2016 report's tests as checker scenarios.
#include "cmdline.hpp"
#include "console.hpp"
#include "hypercall.hpp"
#include "memory/memory.hpp"
#include "panic.hpp"
#include "rt0.hpp"
#include "scheduler.hpp"
#include "selftest.hpp"
#include "shared_info.hpp"
#include "start_info_report.hpp"
#include "syscalls/table.hpp"
#include "tls.hpp"
#include "time/clock.hpp"
#include "time/timer.hpp"
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
    printf("\nUnigornel stage 06-hello: Go prints through fmt.Println\n");
    printf("running on Xen %ld.%ld\n", version >> 16, version & 0xffff);
    kernel::report_start_info(*si, console_sink, nullptr);

    kernel::shinfo::init(*si);
    printf("shared_info mapped\n");
    kernel::traps::init();
    printf("trap table installed: faults are reported, then the domain is stopped\n");
    unmap_null_page();
    printf("NULL guard: the page at address 0 is unmapped\n");
    kernel::memory::init(*si);
    kernel::time::init_timer();
    printf("clock: Xen system time scaled from the TSC (%lu kHz); timer: VIRQ_TIMER + SCHEDOP_poll\n",
           kernel::time::tsc_frequency_khz());
    kernel::sched::init();
    printf("scheduler: thread 1 \"main\" runs on the boot stack; threads switch only when they block\n");
    kernel::console::set_before_write(kernel::syscalls::flush_log);
    printf("system calls: unigornel_syscall -> table -> log; calls without a handler return -ENOSYS\n");

    const char* cmdline = reinterpret_cast<const char*>(si->cmd_line);
    char strace[8];
    if (kernel::cmdline::get(cmdline, "strace", strace, sizeof strace)) {
        if (strace[0] == 'a') {
            kernel::syscalls::set_log_level(kernel::syscalls::Log::Level::All);
            printf("system calls: strace=all: every call is logged, also futex, clocks and sleeps\n");
        } else if (strace[0] == 'n') {
            kernel::syscalls::set_log_level(kernel::syscalls::Log::Level::Unimplemented);
            printf("system calls: strace=none: only calls without a handler are logged\n");
        }
    }
    kernel::selftest::run_if_requested(cmdline);

    printf("Go c-archive: .init_array has %ld entry; TLS template .tdata %ld bytes, .tbss %ld bytes\n",
           static_cast<long>(__init_array_end - __init_array_start), reinterpret_cast<long>(_tdata_size),
           reinterpret_cast<long>(_tbss_size));
    {
        kernel::tls::Layout l = kernel::tls::layout(kernel::tls::image_template());
        printf("TLS: each thread gets %lu bytes of TLS data below its thread pointer and a %lu-byte TCB at it;\n"
               "     FS base = thread pointer, %%fs:0 = itself, Go's g at %%fs:-8 (set on every switch)\n",
               l.offset, kernel::tls::kTcbSize);
    }
    kernel::rt0::run_init_array(cmdline);
    printf("[rt0] the Go runtime's initialiser has run; calling Main()\n");
    Main();
    printf("Main() returned\n");
    kernel::memory::print_stats("memory");
    kernel::poweroff_domain();
}
