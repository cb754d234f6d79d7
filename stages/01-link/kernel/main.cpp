// Stage 01-link: a C++ kernel, booted by Xen as a PV guest, linked with a Go c-archive, calls
// the exported Go function Main directly, the way the 2016 project's first milestone did.
// Book: chapter 01-link (book/stages/01-link.md).
#include "cmdline.hpp"
#include "console.hpp"
#include "hypercall.hpp"
#include "panic.hpp"
#include "shared_info.hpp"
#include "start_info_report.hpp"
#include "traps.hpp"

extern "C" void Main();
extern "C" int strcmp(const char*, const char*);  // exported from Go (go/main.go) through cgo

// From the linker script.
extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();
extern "C" char _tdata_size[], _tbss_size[];  // absolute symbols: their address is the size

namespace {

void console_sink(void*, const char* text, size_t length) { kernel::console::write(text, length); }

// "selftest=pagefault" on the command line: fault on purpose to show the fault report.
void run_selftest(const char* cmdline) {
    char which[32];
    if (!kernel::cmdline::get(cmdline, "selftest", which, sizeof which)) return;
    if (strcmp(which, "pagefault") == 0) {
        auto* p = reinterpret_cast<volatile uint64_t*>(0xdead0000);
        kernel::console::printf("selftest: reading address %p, which nothing maps\n", (void*)p);
        (void)*p;
    }
    kernel::panic("unknown selftest \"%s\" (known: pagefault)", which);
}

}  // namespace

extern "C" [[noreturn]] void kernel_main(const start_info* si) {
    using kernel::console::printf;
    kernel::console::init(*si);
    long version = kernel::hv::xen_version(XENVER_version, nullptr);
    printf("\nUnigornel stage %s: %s\n", UNIGORNEL_STAGE, UNIGORNEL_STAGE_TITLE);
    printf("running on Xen %ld.%ld\n", version >> 16, version & 0xffff);
    kernel::traps::guard_pages();  // first: a NULL dereference or a boot stack overflow faults from here on
    kernel::report_start_info(*si, console_sink, nullptr);

    kernel::shinfo::init(*si);
    kernel::traps::init();

    const char* cmdline = reinterpret_cast<const char*>(si->cmd_line);
    run_selftest(cmdline);

    printf("Go c-archive linked in: .init_array has %ld entry (the runtime's initialiser, not run here)\n",
           static_cast<long>(__init_array_end - __init_array_start));
    printf("Go TLS template: .tdata %ld bytes, .tbss %ld bytes (no thread has a TLS block yet)\n",
           reinterpret_cast<long>(_tdata_size), reinterpret_cast<long>(_tbss_size));
    printf("calling Go's Main() without starting the Go runtime...\n");
    Main();
    printf("Main() returned\n");
    kernel::poweroff_domain();
}
