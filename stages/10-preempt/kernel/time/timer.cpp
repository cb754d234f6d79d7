// Book: chapter 05-futex (book/stages/05-futex.md).
#include "timer.hpp"

#include "../console.hpp"
#include "../hypercall.hpp"
#include "../panic.hpp"
#include "../shared_info.hpp"
#include "clock.hpp"
#include "slice_clock.hpp"

namespace kernel::time {
namespace {
// The channels the idle vCPU polls: the timer's (init_timer) and the devices' (also_wake_on).
constexpr size_t kMaxPorts = 5;
evtchn_port_t g_ports[kMaxPorts];
size_t g_port_count = 0;
evtchn_port_t g_timer_port = 0;
constinit SliceClock g_slice;

void clear_pending(evtchn_port_t port) {
    __atomic_fetch_and(&shinfo::get().evtchn_pending[port / 64], ~(1ul << (port % 64)), __ATOMIC_SEQ_CST);
}
}  // namespace

void init_timer() {
    evtchn_bind_virq bind{};
    bind.virq = VIRQ_TIMER;
    bind.vcpu = 0;
    if (long rc = hv::event_channel_op(EVTCHNOP_bind_virq, &bind); rc != 0)
        panic("EVTCHNOP_bind_virq(VIRQ_TIMER) failed: %ld", rc);
    also_wake_on(bind.port);
    g_timer_port = bind.port;
    console::printf("clock: Xen system time scaled from the TSC (%lu kHz); timer: VIRQ_TIMER + SCHEDOP_poll\n",
                    tsc_frequency_khz());
}

void wait_until(uint64_t deadline_ns) {
    if (deadline_ns != 0 && monotonic_ns() >= deadline_ns) return;
    g_slice.cancel();  // the timer serves this wait now; a return to Go code arms a new slice
    // A deadline in the past makes Xen fire the timer at once, so there is no lost wake-up.
    if (deadline_ns != 0) hv::set_timer_op(deadline_ns);
    sched_poll poll{};
    set_xen_guest_handle(poll.ports, g_ports);
    poll.nr_ports = static_cast<unsigned>(g_port_count);
    poll.timeout = deadline_ns;  // absolute system time; 0: wait for an event only
    hv::sched_op(SCHEDOP_poll, &poll);
    // Every port is cleared: whoever waits on one checks its device after the wake (the
    // scheduler polls the console on every pass), so a cleared event is never lost.
    for (size_t i = 0; i < g_port_count; ++i) clear_pending(g_ports[i]);
}

void arm_slice() {
    if (g_slice.running()) return;  // no clock read on the common path: a syscall's exit
    if (uint64_t deadline = g_slice.arm(monotonic_ns(), kSliceNs)) hv::set_timer_op(deadline);
}

bool take_slice_end() {
    // Cleared first: VIRQ_TIMER raises an upcall only when its channel becomes pending, so a
    // channel left pending would silence every later slice.  (A wait loses nothing by it:
    // SCHEDOP_poll has the deadline as its own timeout.)
    clear_pending(g_timer_port);
    return g_slice.running() && g_slice.take_end(monotonic_ns());
}

uint64_t slices_ended() { return g_slice.ended(); }

void also_wake_on(evtchn_port_t port) {
    if (g_port_count == kMaxPorts) panic("time::also_wake_on: more than %zu event channels", kMaxPorts);
    g_ports[g_port_count++] = port;
}

}  // namespace kernel::time
