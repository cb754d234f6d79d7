// Hypercalls through the hypercall page Xen wrote for us (XEN_ELFNOTE_HYPERCALL_PAGE).
//
// x86-64 PV convention (xen/include/public/arch-x86/xen-x86_64.h): hypercall N is a call to
// hypercall_page + N*32, arguments in rdi, rsi, rdx, r10, r8, result in rax; the stub uses
// SYSCALL internally, so rcx and r11 are clobbered, and Xen may clobber the argument registers.
// Book: chapter 01-link (book/stages/01-link.md).
#pragma once

#include <stdint.h>

#include "xen.hpp"

extern "C" char hypercall_page[4096];

namespace kernel::hv {

inline long hypercall(unsigned op, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0,
                      uint64_t a4 = 0, uint64_t a5 = 0) {
    register uint64_t r10 asm("r10") = a4;
    register uint64_t r8 asm("r8") = a5;
    long ret;
    uint64_t entry = reinterpret_cast<uint64_t>(hypercall_page) + op * 32;
    asm volatile("call *%[entry]"
                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
                 : [entry] "r"(entry)
                 : "memory", "rcx", "r11");
    return ret;
}

inline long console_io(int cmd, int count, const char* buf) {
    return hypercall(__HYPERVISOR_console_io, static_cast<uint64_t>(cmd), static_cast<uint64_t>(count),
                     reinterpret_cast<uint64_t>(buf));
}
inline long sched_op(int cmd, void* arg) {
    return hypercall(__HYPERVISOR_sched_op, static_cast<uint64_t>(cmd), reinterpret_cast<uint64_t>(arg));
}
inline long event_channel_op(int cmd, void* arg) {
    return hypercall(__HYPERVISOR_event_channel_op, static_cast<uint64_t>(cmd), reinterpret_cast<uint64_t>(arg));
}
// Grant-table operations (grant_table.h): `count` structures of the command's type at uop.
inline long grant_table_op(unsigned cmd, void* uop, unsigned count) {
    return hypercall(__HYPERVISOR_grant_table_op, cmd, reinterpret_cast<uint64_t>(uop), count);
}
inline long xen_version(int cmd, void* arg) {
    return hypercall(__HYPERVISOR_xen_version, static_cast<uint64_t>(cmd), reinterpret_cast<uint64_t>(arg));
}
inline long set_trap_table(const trap_info* table) {
    return hypercall(__HYPERVISOR_set_trap_table, reinterpret_cast<uint64_t>(table));
}
inline long update_va_mapping(uint64_t va, uint64_t pte, uint64_t flags) {
    return hypercall(__HYPERVISOR_update_va_mapping, va, pte, flags);
}
// Writes page-table entries: each request names the machine address of an entry and its new
// value; Xen checks that the guest may make that mapping (xen.h, "HYPERVISOR_mmu_update").
inline long mmu_update(const mmu_update_t* requests, unsigned count, unsigned* done) {
    return hypercall(__HYPERVISOR_mmu_update, reinterpret_cast<uint64_t>(requests), count,
                     reinterpret_cast<uint64_t>(done), DOMID_SELF);
}
inline long callback_op(int cmd, void* arg) {
    return hypercall(__HYPERVISOR_callback_op, static_cast<uint64_t>(cmd), reinterpret_cast<uint64_t>(arg));
}

// Sets the FS (or GS) segment base of the running vCPU (xen-x86_64.h, SEGBASE_FS).  A PV
// kernel cannot write the FS base MSR itself; Xen does it and keeps it across its own exits.
inline long set_segment_base(unsigned which, uint64_t base) {
    return hypercall(__HYPERVISOR_set_segment_base, which, base);
}

// Arms the vCPU's single-shot timer: VIRQ_TIMER fires at system time `deadline_ns` (xen.h).
inline long set_timer_op(uint64_t deadline_ns) { return hypercall(__HYPERVISOR_set_timer_op, deadline_ns); }

inline void yield() { sched_op(SCHEDOP_yield, nullptr); }

inline void notify(evtchn_port_t port) {
    evtchn_send send{port};
    event_channel_op(EVTCHNOP_send, &send);
}

[[noreturn]] inline void shutdown(unsigned reason) {
    sched_shutdown arg{reason};
    for (;;) sched_op(SCHEDOP_shutdown, &arg);
}

}  // namespace kernel::hv
