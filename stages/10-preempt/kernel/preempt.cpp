// Book: chapter 10-preempt (book/stages/10-preempt.md).
#include "preempt.hpp"

#include "console.hpp"
#include "fpu.hpp"
#include "hypercall.hpp"
#include "panic.hpp"
#include "scheduler.hpp"
#include "shared_info.hpp"
#include "signals/deliver.hpp"
#include "time/clock.hpp"
#include "time/timer.hpp"

extern "C" void hypervisor_callback();

namespace kernel::preempt {
namespace {

bool g_on = false;
bool g_switch_owed = false;  // a slice ended while the kernel ran
Counters g_counts{};
uint64_t g_upcall_started = 0;  // system time the running preemption's upcall began; 0: none

// The scheduler's switch-in hook: ends the measurement of the preemption in progress, if any
// (the cost of one preemption, in print_stats); a new thread's code runs Go's soon (runtime/
// cgo's threadentry), so it gets a time slice.
void on_switch_in(bool first_run) {
    if (g_upcall_started != 0) {
        g_counts.switch_ns += time::monotonic_ns() - g_upcall_started;
        g_upcall_started = 0;
    }
    if (first_run) on_return_to_go();
}

}  // namespace

void init() {
    // Xen masks events as it enters the event callback ("event delivery is unconditionally
    // disabled", xen/include/public/callback.h), so the handler is never entered again before
    // its HYPERVISOR_iret.
    callback_register cb{};
    cb.type = CALLBACKTYPE_event;
    cb.address = reinterpret_cast<unsigned long>(hypervisor_callback);
    if (long rc = hv::callback_op(CALLBACKOP_register, &cb); rc != 0)
        panic("HYPERVISOR_callback_op(CALLBACKOP_register, CALLBACKTYPE_event) failed: %ld", rc);
    g_on = true;
    sched::set_switch_in_hook(on_switch_in);
    console::printf("preemption: events unmasked, upcall at hypervisor_callback; Go code is switched out when its "
                    "%lu ms time slice ends\n",
                    time::kSliceNs / 1'000'000);
    // Xen starts a PV vCPU with events masked (vcpu_info.evtchn_upcall_mask = 1); the events
    // of the boot are taken as they are unmasked.
    time::arm_slice();
    shinfo::set_event_mask(0);
}

void on_return_to_go() {
    if (!g_on) return;
    if (g_switch_owed) {
        g_switch_owed = false;
        ++g_counts.syscall_switches;
        sched::yield();
    }
    time::arm_slice();
}

Counters counters() {
    Counters c = g_counts;
    c.slices_ended = time::slices_ended();
    return c;
}

void print_stats() {
    if (!g_on) return;
    Counters c = counters();
    console::printf("scheduler: %lu time slices ended, %lu upcalls in Go code, %lu preemptions, %lu switches at a "
                    "system call's exit; %lu signals delivered asynchronously (%lu SIGURG)\n",
                    c.slices_ended, c.go_upcalls, c.preemptions, c.syscall_switches, signals::delivered_async(),
                    signals::delivered_urg());
    if (c.preemptions == 0)
        console::printf("scheduler: no thread was preempted\n");
    else
        console::printf("scheduler: a preemption took %lu.%lu us on average, from the upcall to the next thread\n",
                        c.switch_ns / c.preemptions / 1000, c.switch_ns / c.preemptions % 1000 / 100);
}

void on_upcall(traps::TrapFrame* f) {
    ++g_counts.upcalls;
    // Acknowledge, as Linux's xen_evtchn_do_upcall: the pending flag, then the selector word.
    // Xen raises an upcall only when a selector bit goes from 0 to 1, so both must be cleared
    // or no event would ever raise one again.  The channels' own bits stay for the devices'
    // polls (the scheduler runs them on every pass), except the timer's (take_slice_end).
    vcpu_info& v = shinfo::vcpu0();
    __atomic_store_n(&v.evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
    __atomic_exchange_n(&v.evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    bool slice_ended = time::take_slice_end();

    if (f->vector != kUpcallGo) {
        // The kernel never switches in the middle of its own work: owe the switch, paid at the
        // system call's exit.  The kernel may also go back to Go code by another way (a trap's
        // return after a demand fault, a C library function cgo called): a new slice is armed
        // so that the Go code that follows is still stopped in time.
        if (slice_ended) {
            g_switch_owed = true;
            time::arm_slice();
        }
        return;
    }
    ++g_counts.go_upcalls;
    g_switch_owed = false;
    Thread* self = sched::current();
    g_upcall_started = time::monotonic_ns();
    fpu::save(self->fpu_area);
    if (sched::preempt()) ++g_counts.preemptions;
    g_upcall_started = 0;  // if no other thread ran, it was not a preemption
    fpu::restore(self->fpu_area);
    signals::deliver_pending(f);  // Go's SIGURG lands here: its handler runs when we return
    time::arm_slice();
}

}  // namespace kernel::preempt

extern "C" void event_upcall(kernel::traps::TrapFrame* f) { kernel::preempt::on_upcall(f); }
